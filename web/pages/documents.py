"""The ids of the trusted documents a page's scripts send (``data-documents`` on its root)."""

import json

from starlette.requests import Request


def document_ids(request: Request, *names: str) -> str:
    """``{"JoinEvent": "sha256:...", ...}`` as JSON, for a ``data-documents`` attribute."""
    ids = request.app.state.trusted_documents.ids_by_name
    return json.dumps({name: ids[name] for name in names}, separators=(",", ":"))
