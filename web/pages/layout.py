"""The page shell shared by every audience page, and the friendly "no such event" page."""

from string import Template

from starlette.requests import Request
from starlette.responses import HTMLResponse

from web.pages.assets import static_url
from web.pages.html import Markup, html_response, join, render

_SHELL = Template("""<!doctype html>
<html lang="$lang">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>$title</title>
<link rel="icon" href="data:,">
$stylesheets$scripts</head>
<body class="$body_class">
$content
</body>
</html>
""")

_SCRIPT = Template('<script defer src="$src"></script>\n')
_STYLESHEET = Template('<link rel="stylesheet" href="$href">\n')

_CODE_FORM = Template("""<form class="code-form" action="$action" method="get">
<label for="join-code">Event code</label>
<input id="join-code" name="code" required maxlength="32" autocomplete="off"
 autocapitalize="characters" spellcheck="false" inputmode="text" value="$code">
<button type="submit">Join</button>
</form>""")

_NOT_FOUND = Template("""<main class="page-message">
<h1>No event with this code</h1>
<p>We could not find a pitching event with the code <strong>$code</strong>.
Check the code on the screen in the hall and try again.</p>
$form
</main>""")

_JOIN = Template("""<main class="page-message">
<h1>Join a pitching event</h1>
<p>Type the code shown on the screen in the hall.</p>
$form
</main>""")


def page(
    request: Request,
    *,
    title: str,
    content: Markup,
    body_class: str,
    scripts: tuple[str, ...] = (),
    stylesheets: tuple[str, ...] = (),
    status_code: int = 200,
    lang: str = "en",
    img_sources: tuple[str, ...] = (),
) -> HTMLResponse:
    """The page shell; ``stylesheets`` come after hub.css, ``img_sources`` widen the CSP."""
    script_tags = join([render(_SCRIPT, src=static_url(request, name)) for name in scripts])
    style_tags = join(
        [render(_STYLESHEET, href=static_url(request, name)) for name in ("hub.css", *stylesheets)]
    )
    body = render(
        _SHELL,
        lang=lang,
        title=title,
        stylesheets=style_tags,
        scripts=script_tags,
        body_class=body_class,
        content=content,
    )
    return html_response(body, status_code=status_code, img_sources=img_sources)


def code_form(request: Request, code: str = "") -> Markup:
    return render(_CODE_FORM, action=request.url_for("join_form").path, code=code)


def not_found_page(request: Request, code: str) -> HTMLResponse:
    content = render(_NOT_FOUND, code=code, form=code_form(request, code))
    return page(
        request, title="Event not found", content=content, body_class="message", status_code=404
    )


def join_form_page(request: Request) -> HTMLResponse:
    content = render(_JOIN, form=code_form(request))
    return page(request, title="Join a pitching event", content=content, body_class="message")
