"""QR codes of join links, rendered server-side as inline SVG (no image requests, no CDN)."""

import segno

from web.pages.html import Markup


def qr_code_svg(url: str) -> Markup:
    """An SVG QR code of ``url``, sized by CSS (viewBox only), dark on a light quiet zone.

    Error correction M survives a glare spot on a projected screen while keeping modules
    large enough to scan from the back of a hall.
    """
    code = segno.make(url, error="m", micro=False)
    svg: str = code.svg_inline(
        scale=1,
        omitsize=True,
        dark="#000",
        light="#fff",
        title="QR code of the join link",
        svgclass="qr-code",
        lineclass="qr-modules",
    )
    return Markup(svg)
