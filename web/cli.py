"""The ``si-hub`` command: migrate, seed-demo, serve, export-schema, settings,
trusted-documents."""

import argparse
import asyncio
import logging
import logging.config
import os
import sys
import tempfile
from pathlib import Path

import uvicorn

from web.settings import Settings

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema.graphql"
logger = logging.getLogger("si-hub")


def _migrate(_: argparse.Namespace) -> int:
    from web.database import apply_migrations

    asyncio.run(apply_migrations(Settings().database_url))
    logger.info("database is up to date")
    return 0


def _seed_demo(_: argparse.Namespace) -> int:
    from demo.seed import seed_demo_community
    from web.database import open_database

    async def run() -> str:
        async with open_database(Settings().database_url):
            return await seed_demo_community()

    logger.info(asyncio.run(run()))
    return 0


def _serve(args: argparse.Namespace) -> int:
    from live.protocol import websocket_protocol
    from web.database import ensure_sqlite_folder
    from web.logs import log_config

    settings = Settings()
    ensure_sqlite_folder(settings.database_url)
    if args.workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Every worker writes its metrics here, and /metrics adds them up, whichever
        # worker answers the scrape (prometheus_client's multiprocess mode).
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="si-hub-metrics-")
    shown_host = "localhost" if args.host in ("127.0.0.1", "0.0.0.0") else args.host
    logger.info("Smart Interactions hub: http://%s:%s/graphql", shown_host, args.port)
    uvicorn.run(
        "web.app:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        ws=websocket_protocol(),
        ws_per_message_deflate=False,
        ws_max_size=settings.max_body_bytes,  # a WebSocket message is bounded like a body
        ws_ping_interval=settings.ws_ping_interval,
        ws_ping_timeout=settings.ws_ping_timeout,
        log_level="info",
        log_config=log_config(settings.log_format),
        access_log=args.access_log,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )
    return 0


def _export_schema(args: argparse.Namespace) -> int:
    from schema import schema

    current = schema.as_str() + "\n"
    if args.check:
        committed = SCHEMA_FILE.read_text() if SCHEMA_FILE.exists() else ""
        if committed != current:
            logger.error(
                "schema.graphql differs from the code's schema: run `si-hub export-schema`, "
                "review the diff and commit it"
            )
            return 1
        logger.info("schema.graphql matches the code")
        return 0
    SCHEMA_FILE.write_text(current)
    logger.info("wrote %s", SCHEMA_FILE)
    return 0


def _settings(_: argparse.Namespace) -> int:
    from web.settings import settings_table

    sys.stdout.write(settings_table())
    return 0


def _trusted_documents(_: argparse.Namespace) -> int:
    from schema import schema
    from schema.checked_documents import graphql_core_schema
    from schema.trusted_documents import DocumentStore
    from web.app import TRUSTED_DOCUMENTS

    store = DocumentStore()
    store.load(TRUSTED_DOCUMENTS, graphql_core_schema(schema))
    for name, identifier in sorted(store.ids_by_name.items()):
        sys.stdout.write(f"{identifier}  {name}\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="si-hub", description="Smart Interactions hub")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply database migrations").set_defaults(run=_migrate)
    commands.add_parser("seed-demo", help="seed a demo community (idempotent)").set_defaults(
        run=_seed_demo
    )
    serve = commands.add_parser("serve", help="run the hub with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="app processes on this host")
    serve.add_argument(
        "--no-access-log",
        dest="access_log",
        action="store_false",
        help="no line per request (at hundreds of requests/s, leave it to the load balancer)",
    )
    serve.set_defaults(run=_serve)
    export = commands.add_parser("export-schema", help="write schema.graphql")
    export.add_argument("--check", action="store_true", help="fail if schema.graphql drifted")
    export.set_defaults(run=_export_schema)
    commands.add_parser(
        "settings", help="print the table of settings (environment variables) as Markdown"
    ).set_defaults(run=_settings)
    commands.add_parser(
        "trusted-documents", help="print the id (documentId) of each of the pages' documents"
    ).set_defaults(run=_trusted_documents)
    return parser


def main(argv: list[str] | None = None) -> None:
    from web.logs import log_config

    logging.config.dictConfig(log_config(Settings().log_format))
    args = build_parser().parse_args(argv)
    sys.exit(args.run(args))
