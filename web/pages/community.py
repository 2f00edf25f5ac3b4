"""``/c/{community_id}``: a community's page — facts, a link to its map, and its insights.

Everything is server-rendered (no script): the insights chart is inline SVG.
"""

from string import Template

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from web.pages.community_data import CommunitySummary, community_insights, find_community
from web.pages.html import Markup, render
from web.pages.i18n import Language, language_of, text
from web.pages.insights_chart import format_integer
from web.pages.insights_view import insights_section
from web.pages.layout import page

_COMMUNITY = Template("""<main class="community-page">
$language_switch
<header class="community-header">
<h1>$name</h1>
<dl class="community-facts">
<div><dt>$region_label</dt><dd data-field="region">$region</dd></div>
$population</dl>
<p><a class="map-link" href="$map_url">$map_label</a></p>
</header>
$insights
</main>""")

_POPULATION = Template('<div><dt>$label</dt><dd data-field="population">$population</dd></div>\n')

_LANGUAGE_SWITCH = Template(
    '<nav class="language-switch"><a data-language-link href="$href" hreflang="$lang"'
    ' lang="$lang">$label</a></nav>'
)

_NOT_FOUND = Template("""<main class="page-message">
<h1>$title</h1>
<p>$message <strong>$community_id</strong>.</p>
</main>""")


def with_language(path: str, language: Language) -> str:
    """``path`` in ``language``: English is the default, so it needs no parameter."""
    return f"{path}?lang={language.value}" if language is Language.UK else path


def language_switch(request: Request, language: Language) -> Markup:
    """A link to this page in the other language."""
    other = Language.EN if language is Language.UK else Language.UK
    return render(
        _LANGUAGE_SWITCH,
        href=with_language(request.url.path, other),
        lang=other.value,
        label=text(language).other_language,
    )


def community_not_found_page(
    request: Request, community_id: str, language: Language
) -> HTMLResponse:
    ui = text(language)
    content = render(
        _NOT_FOUND,
        title=ui.not_found_title,
        message=ui.not_found_text,
        community_id=community_id,
    )
    return page(
        request,
        title=ui.not_found_title,
        content=content,
        body_class="message",
        status_code=404,
        lang=language.value,
    )


def _population(community: CommunitySummary, language: Language) -> Markup:
    if community.population is None:
        return Markup("")
    return render(
        _POPULATION,
        label=text(language).population,
        population=format_integer(community.population),
    )


async def community_page(request: Request) -> Response:
    language = language_of(request)
    raw_id = request.path_params["community_id"]
    community = await find_community(request, raw_id)
    if community is None:
        return community_not_found_page(request, raw_id, language)
    insights = await community_insights(request, community.global_id, language)
    ui = text(language)
    map_path = request.url_for("community_map", community_id=community.global_id).path
    content = render(
        _COMMUNITY,
        language_switch=language_switch(request, language),
        name=community.name,
        region_label=ui.region,
        region=community.region,
        population=_population(community, language),
        map_url=with_language(map_path, language),
        map_label=ui.open_map,
        insights=insights_section(insights, language),
    )
    return page(
        request,
        title=community.name,
        content=content,
        body_class="community",
        stylesheets=("places.css",),
        lang=language.value,
    )
