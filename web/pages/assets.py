"""The pages' static files (scripts, styles) served at ``/static``, with cache-busting URLs."""

import hashlib
from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

STATIC_DIRECTORY = Path(__file__).resolve().parent.parent / "static"


def static_mount() -> Mount:
    return Mount("/static", StaticFiles(directory=STATIC_DIRECTORY), name="static")


@cache
def _fingerprint(name: str) -> str:
    return hashlib.sha256((STATIC_DIRECTORY / name).read_bytes()).hexdigest()[:12]


def static_url(request: Request, name: str) -> str:
    """Path of a static file; its content hash in the query makes caches fetch new releases."""
    return f"{request.url_for('static', path=name).path}?v={_fingerprint(name)}"
