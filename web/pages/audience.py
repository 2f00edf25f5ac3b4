"""``/e/{code}``: the phone page where an attendee joins, watches and supports projects."""

from string import Template
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from schema.context import DEVICE_COOKIE, set_device_cookie
from web.pages.event_lookup import find_event_by_code
from web.pages.html import render
from web.pages.layout import join_form_page, not_found_page, page
from web.pages.live_view import event_header, live_event_main, project_list

_AUDIENCE = Template("""$header
<section class="attendee" aria-label="Your support">
<p class="join-status" data-field="join-status" role="status">Joining…</p>
<p class="remaining" data-field="remaining" aria-live="polite"></p>
</section>
$projects""")

SCRIPTS = ("live.js", "event-view.js", "audience.js")


async def audience_page(request: Request) -> Response:
    code = request.path_params["code"]
    event = await find_event_by_code(code)
    if event is None:
        return not_found_page(request, code)
    if code != event.join_code:  # typed in lower case or with dashes: show the canonical URL
        return RedirectResponse(request.url_for("audience", code=event.join_code), status_code=302)
    content = live_event_main(
        request,
        event,
        render(
            _AUDIENCE,
            header=event_header(event),
            projects=project_list(with_support_buttons=True),
        ),
    )
    response = page(
        request, title=event.title, content=content, body_class="audience", scripts=SCRIPTS
    )
    if DEVICE_COOKIE not in request.cookies:
        # This phone's joins of OPEN events are bound to it: the page's WebSocket handshake
        # carries the cookie, so joining again finds the same attendee.
        set_device_cookie(response, request)
    return response


async def join_form(request: Request) -> Response:
    """``/e``: type a code (people at home have no QR to scan); ``/e?code=X`` goes to it."""
    code = request.query_params.get("code", "").strip()
    if code:
        # Quoted whole: a typed "/", "?" or "#" stays part of the code (and finds no event).
        target = f"{request.url_for('join_form').path}/{quote(code, safe='')}"
        return RedirectResponse(target, status_code=303)
    return join_form_page(request)
