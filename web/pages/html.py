"""Small, safe HTML templating: every value is escaped unless it is already ``Markup``.

Plain ``string.Template`` keeps the pages dependency-free; the one rule that makes it safe is
that ``render`` escapes whatever it is given, so only markup we built ourselves (fragments
rendered by ``render``, the QR code's SVG) can reach the page unescaped.
"""

import html
from string import Template

from starlette.responses import HTMLResponse


def content_security_policy(img_sources: tuple[str, ...] = ()) -> str:
    """The policy of every page; ``img_sources`` adds image origins (the map's tile server)."""
    # The pages load only their own scripts and styles and talk only to their own origin
    # ('self' covers ws:/wss: to the same host); nothing from a CDN, no inline script.
    images = " ".join(("'self'", "data:", *img_sources))
    return (
        f"default-src 'none'; script-src 'self'; style-src 'self'; img-src {images}; "
        "connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    )


class Markup(str):
    """Text that is already safe HTML."""

    __slots__ = ()


def escape(value: str | Markup) -> Markup:
    if isinstance(value, Markup):
        return value
    return Markup(html.escape(value, quote=True))


def render(template: Template, **values: str | Markup) -> Markup:
    """Fill ``template``; plain strings are escaped, ``Markup`` goes in as it is."""
    return Markup(template.substitute({name: escape(value) for name, value in values.items()}))


def join(fragments: list[Markup]) -> Markup:
    return Markup("".join(fragments))


def html_response(
    body: Markup, status_code: int = 200, *, img_sources: tuple[str, ...] = ()
) -> HTMLResponse:
    return HTMLResponse(
        body,
        status_code=status_code,
        headers={
            "Content-Security-Policy": content_security_policy(img_sources),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
            # Counts are live over the WebSocket; the shell itself must not go stale in caches.
            "Cache-Control": "no-cache",
        },
    )
