"""The worst CPU any document under the body limit costs before execution, by attack shape.

    .venv/bin/python -m bench.validation_worst [--repeats 5]

Builds documents of many shapes meant to be slow to parse, measure or validate (fragment
bombs of every depth and width, one field repeated, many aliases, deep nesting, wide
selections, long strings, comments, many variables, directives, arguments and nested input
values), each as large as the body and token limits allow, and runs each through the
hub in this process, through its ASGI app as an HTTP request would go (body checks, length
and token limits, parse, shape limits, validation, cost; an allowed one also executes, on
an empty SQLite database; the in-process HTTP client's own few hundred microseconds are
counted too). Prints each
shape's CPU (the median of ``--repeats`` runs, each on a fresh document cache, as a
first-seen document is) and the worst, against the ~50 ms the issue allows.
"""

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from collections.abc import Callable

import httpx

from bench.pg_scratch import say
from schema.checked_documents import documents
from web.app import create_app
from web.database import apply_migrations, open_database
from web.settings import Settings

BUDGET_MS = 50.0
MAX_BODY = Settings().max_body_bytes
CHARACTERS = Settings().max_document_characters
TOKENS = Settings().max_document_tokens


def bomb(levels: int, width: int = 2) -> str:
    fragments = ["fragment F0 on Query { __typename }"]
    for n in range(1, levels):
        fragments.append(f"fragment F{n} on Query {{ {' '.join([f'...F{n - 1}'] * width)} }}")
    return f"query {{ ...F{levels - 1} }} " + " ".join(fragments)


def many(
    item: Callable[[int], str], tokens_each: int, wrap: str = "{ %s }", spare: int = 10
) -> str:
    """As many items as the token limit lets in (``spare`` tokens left for the rest)."""
    count = max(1, (TOKENS - spare) // tokens_each)
    return wrap % " ".join(item(n) for n in range(count))


def nested(depth: int) -> str:
    path = ["issues(first: 1)", "nodes", "projects(first: 1)", "nodes"] * depth
    return "{ " + " { ".join(path[:depth]) + " { id }" + " }" * depth


def text_of(characters: int) -> int:
    """How many characters of text a document may carry beside a little syntax."""
    return min(CHARACTERS, MAX_BODY // 2) - 200


FRAGMENTS = 99  # the definitions limit is 100, the operation included

SHAPES: dict[str, Callable[[], str]] = {
    "fragment bomb, 20 levels": lambda: bomb(20),
    "fragment bomb, 99 levels": lambda: bomb(FRAGMENTS),
    "wide fragment bomb (8 x 8)": lambda: bomb(8, 8),
    "wide fragment bomb (3 x 40)": lambda: bomb(3, 40),
    "one field repeated": lambda: many(lambda n: "viewer { id }", 4),
    "__typename repeated": lambda: many(lambda n: "__typename", 1),
    "aliases (unique names)": lambda: many(lambda n: f"a{n}: __typename", 3),
    "20 copies of each field (at the limit)": lambda: many(
        lambda n: "viewer { id displayName email memberships { role } }", 11
    ),
    "distinct fields, fragments at the limit": lambda: (
        "{ "
        + " ".join(f"...H{n}" for n in range(FRAGMENTS))
        + " } "
        + " ".join(f"fragment H{n} on Query {{ a{n}: viewer {{ id }} }}" for n in range(FRAGMENTS))
    ),
    "deep nesting (at the depth limit)": lambda: nested(12),
    "deep nesting (beyond)": lambda: nested(400),
    "unused fragments (at the limit)": lambda: (
        "{ __typename } "
        + " ".join(f"fragment U{n} on Query {{ __typename }}" for n in range(FRAGMENTS))
    ),
    "many operations (at the limit)": lambda: " ".join(
        f"query Q{n} {{ __typename }}" for n in range(FRAGMENTS + 1)
    ),
    "many variables": lambda: many(
        lambda n: f"$v{n}: Int", 4, "query(%s) { __typename }", spare=20
    ),
    "many directives": lambda: many(lambda n: "__typename @skip(if: false)", 7),
    "many arguments": lambda: many(
        lambda n: f"a{n}: 1", 3, "{ issues(%s) { totalCount } }", spare=20
    ),
    "deep input value": lambda: (
        "{ issues(filter: " + "{communityId: " * 600 + "1" + "}" * 600 + ") { totalCount } }"
    ),
    "long list value": lambda: many(lambda n: '"x"', 2, "{ nodes(ids: [%s]) { id } }", spare=20),
    "one long string": lambda: (
        '{ similarIssues(input: {communityId: "x", title: "'
        + "y" * text_of(CHARACTERS)
        + '"}) { __typename } }'
    ),
    "a long comment": lambda: "{ __typename }\n#" + "c" * text_of(CHARACTERS),
    "comments between tokens": lambda: (
        "{ " + ("__typename # comment\n" * 2000)[: text_of(CHARACTERS)] + " }"
    ),
    "long block string": lambda: (
        '{ similarIssues(input: {communityId: "x", title: """'
        + "z" * text_of(CHARACTERS)
        + '"""}) { __typename } }'
    ),
    "whitespace": lambda: "{" + " " * text_of(CHARACTERS) + "__typename }",
    "nested connections (cost)": lambda: (
        "{ "
        + " { ".join(["issues(first: 100)", "nodes", "projects(first: 100)", "nodes"] * 3)
        + " { id }"
        + " }" * 12
    ),
}


async def cpu_ms(http: httpx.AsyncClient, query: str) -> float:
    documents.configure(documents.max_bytes)  # a first-seen document: nothing cached
    body = json.dumps({"query": query}).encode()
    started = time.process_time()
    response = await http.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    spent = (time.process_time() - started) * 1000
    if response.status_code >= 500:
        raise SystemExit(f"the hub answered {response.status_code}: {response.text[:500]}")
    return spent


async def run(repeats: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite://{folder}/validation.sqlite3"
        await apply_migrations(url)
        async with open_database(url):
            app = create_app(Settings(database_url=url, broadcast_url="memory://"))
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
                await measure(http, repeats)


async def measure(http: httpx.AsyncClient, repeats: int) -> None:
    say(
        f"limits: body {MAX_BODY:,} bytes, documents of {CHARACTERS:,} characters and "
        f"{TOKENS:,} tokens; {repeats} runs each, median"
    )
    say()
    say("| shape | bytes | answer | CPU ms (median) |")
    say("|---|---:|---|---:|")
    worst = ("", 0.0)
    for name, build in SHAPES.items():
        query = build()
        assert len(query.encode()) <= MAX_BODY, (name, len(query))
        spent = statistics.median([await cpu_ms(http, query) for _ in range(repeats)])
        worst = max(worst, (name, spent), key=lambda pair: pair[1])
        say(f"| {name} | {len(query.encode()):,} | {await outcome(http, query)} | {spent:.1f} |")
    say()
    verdict = "within" if worst[1] <= BUDGET_MS else "over"
    say(f"worst: {worst[0]}, {worst[1]:.1f} ms ({verdict} the {BUDGET_MS:.0f} ms budget)")


async def outcome(http: httpx.AsyncClient, query: str) -> str:
    """What the hub answered: the first error's code, or "ran"."""
    response = await http.post("/graphql", json={"query": query})
    errors = response.json().get("errors") or []
    if not errors:
        return "ran"
    return str(errors[0].get("extensions", {}).get("code") or errors[0]["message"][:40])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    asyncio.run(run(parser.parse_args().repeats))


if __name__ == "__main__":
    main()
