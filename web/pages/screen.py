"""``/e/{code}/screen``: the big screen in the hall — large bars, totals and a QR code."""

from string import Template

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from web.pages.event_lookup import find_event_by_code
from web.pages.html import render
from web.pages.layout import not_found_page, page
from web.pages.live_view import event_header, live_event_main, project_list
from web.pages.qr import qr_code_svg

_SCREEN = Template("""<div class="screen-layout">
<div class="screen-main">
$header
$projects
</div>
<aside class="screen-side" aria-label="Totals and how to join">
<dl class="totals">
<div><dt>Votes</dt><dd data-field="total-votes" aria-live="polite">0</dd></div>
<div data-field="total-money-line" hidden><dt>Money pledged</dt>
<dd data-field="total-money" aria-live="polite"></dd></div>
</dl>
<figure class="qr">$qr_code
<figcaption>Scan to join, or open <strong class="join-url">$join_url</strong></figcaption>
</figure>
<p class="join-code-line">Event code <strong class="join-code">$join_code</strong></p>
</aside>
</div>""")

SCRIPTS = ("live.js", "event-view.js", "screen.js")


async def screen_page(request: Request) -> Response:
    code = request.path_params["code"]
    event = await find_event_by_code(code)
    if event is None:
        return not_found_page(request, code)
    if code != event.join_code:  # typed in lower case or with dashes: show the canonical URL
        return RedirectResponse(request.url_for("screen", code=event.join_code), status_code=302)
    # The absolute URL people's phones open, from the address the screen itself was opened at.
    join_url = str(request.url_for("audience", code=event.join_code))
    content = live_event_main(
        request,
        event,
        render(
            _SCREEN,
            header=event_header(event),
            projects=project_list(with_support_buttons=False),
            qr_code=qr_code_svg(join_url),
            join_url=join_url,
            join_code=event.join_code,
        ),
    )
    return page(
        request,
        title=f"{event.title} — live",
        content=content,
        body_class="screen",
        scripts=SCRIPTS,
    )
