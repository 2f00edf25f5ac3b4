"""Markup of a live event view, shared by the audience page and the big screen.

The server renders the shell once; ``event-view.js`` fills it from every ``eventLive``
snapshot. Project rows are cloned from a ``<template>`` rendered here, so the markup lives
in one place and the script only ever sets text (never HTML) — user text cannot inject markup.
``data-field`` attributes are the contract between this markup and the script.
"""

from string import Template

from starlette.requests import Request

from web.pages.documents import document_ids
from web.pages.event_lookup import EventHeading
from web.pages.html import Markup, render

_ROOT = Template(
    '<main class="live-event" data-event-id="$event_id" data-join-code="$join_code"'
    ' data-graphql-path="$graphql_path" data-documents="$documents">\n$content\n</main>'
)

_HEADER = Template("""<header class="event-header">
<h1 data-field="title">$title</h1>
<p class="event-state" data-field="state">Connecting…</p>
<p class="connection" data-field="connection" role="status">Connecting…</p>
</header>
<noscript><p class="page-message">Live counts and support need JavaScript.</p></noscript>
<p class="now-pitching" data-field="now-pitching" aria-live="polite" hidden>Now pitching:
<strong data-field="current-title"></strong></p>
<p class="results-hidden" data-field="results-hidden" hidden>Counts are hidden until the
organiser reveals them.</p>""")

_PROJECTS = Template("""<section class="projects" aria-labelledby="projects-heading">
<h2 id="projects-heading">Projects</h2>
<ol class="project-list" data-projects></ol>
<template data-project-template>
<li class="project">
<div class="project-heading">
<h3 class="project-title" data-field="project-title"></h3>
<p class="now-badge" data-field="now" hidden>Now pitching</p>
</div>
<p class="project-lead">by <span data-field="lead"></span></p>
<div class="bar" aria-hidden="true"><div class="bar-fill" data-field="vote-bar"></div></div>
<p class="count" aria-live="polite" aria-atomic="true"><span class="count-number"
 data-field="votes">0</span> <span data-field="votes-unit">votes</span></p>
<div class="money-line" data-field="money-line" hidden>
<div class="bar bar-money" aria-hidden="true"><div class="bar-fill"
 data-field="money-bar"></div></div>
<p class="money" aria-live="polite" data-field="money"></p>
<p class="matched" aria-live="polite" data-field="matched" hidden></p>
</div>
$actions</li>
</template>
</section>""")

_SUPPORT_ACTIONS = Markup("""<div class="project-actions">
<button type="button" class="support-button" data-action="support">Support</button>
<p class="project-message" data-field="message" role="status"></p>
</div>
""")


def live_event_main(request: Request, event: EventHeading, content: Markup) -> Markup:
    """The page's ``<main>``, carrying what the scripts need to join and subscribe."""
    return render(
        _ROOT,
        event_id=event.global_id,
        join_code=event.join_code,
        graphql_path=request.url_for("graphql").path,
        documents=document_ids(request, "EventLive", "JoinEvent", "SupportPitch"),
        content=content,
    )


def event_header(event: EventHeading) -> Markup:
    return render(_HEADER, title=event.title)


def project_list(*, with_support_buttons: bool) -> Markup:
    return render(_PROJECTS, actions=_SUPPORT_ACTIONS if with_support_buttons else Markup(""))
