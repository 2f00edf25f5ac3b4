"""``/c/{community_id}/map``: issues of a community on a map, clustered, with filters.

The server renders the shell and the filter form (labels from ``sdgGoals`` and
``affectedGroups`` in the page's language); ``map.js`` draws the map itself as SVG in web
mercator, fetching ``issueClusters`` / ``issuesInArea`` over HTTP for the visible box. Tiles
are optional decoration under the markers: without ``MAP_TILE_URL``, or when tiles fail to
load, the map is drawn on a plain background. The form works without script too (GET).
"""

from collections.abc import Sequence
from string import Template

from starlette.requests import Request
from starlette.responses import Response

from web.pages.community import community_not_found_page, language_switch, with_language
from web.pages.community_data import Option, find_community, map_taxonomies
from web.pages.documents import document_ids
from web.pages.html import Markup, join, render
from web.pages.i18n import (
    Language,
    UiText,
    category_labels,
    language_of,
    sector_labels,
    status_labels,
    text,
)
from web.pages.layout import page
from web.pages.map_view import MapFilters, filters_from, tile_source, view_from
from web.settings import Settings

_MAP = Template("""<main class="map-page" data-map-root data-community-id="$community_id"
 data-graphql-path="$graphql_path" data-documents="$documents"
 data-latitude="$latitude" data-longitude="$longitude"
 data-zoom="$zoom" data-tile-url="$tile_url" data-lang="$lang"
 data-text-loading="$loading" data-text-failed="$failed" data-text-count="$count"
 data-text-cluster="$cluster" data-text-issue="$issue">
<header class="map-header">
$language_switch
<h1>$name</h1>
<p class="map-subtitle">$map_title · <a href="$community_url">$back</a></p>
</header>
$filters
<p class="map-status" role="status" aria-live="polite"><span data-field="status"></span>
<button type="button" class="map-retry" data-action="retry" hidden>$retry</button></p>
<p class="map-tiles-note" data-field="tiles-note" hidden>$tiles_failed</p>
<div class="map-frame">
<svg class="map-canvas" data-map tabindex="0" role="application" aria-label="$map_label"
 xmlns="http://www.w3.org/2000/svg"></svg>
<div class="map-controls">
<button type="button" data-action="zoom-in" aria-label="$zoom_in"
 title="$zoom_in">+</button>
<button type="button" data-action="zoom-out" aria-label="$zoom_out"
 title="$zoom_out">&#8722;</button>
</div>
<p class="map-attribution">$attribution</p>
</div>
<noscript><p class="page-message">$no_script</p></noscript>
<aside class="issue-detail" data-field="detail" hidden aria-labelledby="detail-title"
 tabindex="-1">
<h2 id="detail-title" data-field="detail-title"></h2>
<dl>
<div><dt>$status_label</dt><dd data-field="detail-status"></dd></div>
<div><dt>$category_label</dt><dd data-field="detail-category"></dd></div>
<div><dt>$group_label</dt><dd data-field="detail-groups"></dd></div>
<div><dt>$sdg_label</dt><dd data-field="detail-sdgs"></dd></div>
</dl>
<button type="button" data-action="close-detail">$close</button>
</aside>
</main>""")

SCRIPTS = ("map-projection.js", "map-data.js", "map-canvas.js", "map-gestures.js", "map.js")

_FORM = Template("""<form class="map-filters" method="get" action="$action" data-map-filters>
<fieldset>
<legend>$legend</legend>
$selects$lang_field<button type="submit" data-action="apply">OK</button>
<a class="map-reset" href="$reset_url">$reset</a>
</fieldset>
</form>""")

_SELECT = Template("""<label class="map-filter"><span>$label</span>
<select name="$name" data-filter="$name">
$options</select></label>
""")
_OPTION = Template('<option value="$value"$selected>$label</option>\n')
_LANG_FIELD = Markup('<input type="hidden" name="lang" value="uk">\n')


def _select(label: str, name: str, options: Sequence[Option], chosen: str, ui: UiText) -> Markup:
    rendered = [render(_OPTION, value="", selected=Markup(""), label=ui.any_value)]
    rendered += [
        render(
            _OPTION,
            value=option.value,
            selected=Markup(" selected" if option.value == chosen else ""),
            label=option.label,
        )
        for option in options
    ]
    return render(_SELECT, label=label, name=name, options=join(rendered))


def _labelled(labels: dict[str, str]) -> tuple[Option, ...]:
    return tuple(Option(value=value, label=label) for value, label in labels.items())


async def _filter_form(
    request: Request, action: str, filters: MapFilters, language: Language
) -> Markup:
    ui = text(language)
    taxonomies = await map_taxonomies(request, language)
    statuses = _labelled({s.value: label for s, label in status_labels(language).items()})
    categories = _labelled({c.value: label for c, label in category_labels(language).items()})
    sectors = _labelled({s.value: label for s, label in sector_labels(language).items()})
    selects = [
        _select(ui.status, "status", statuses, filters.status, ui),
        _select(ui.sdg, "sdg", taxonomies.sdg_goals, filters.sdg, ui),
        _select(ui.affected_group, "group", taxonomies.affected_groups, filters.group, ui),
        _select(ui.category, "category", categories, filters.category, ui),
        _select(ui.author_sector, "sector", sectors, filters.sector, ui),
    ]
    return render(
        _FORM,
        action=action,
        legend=ui.filters,
        selects=join(selects),
        lang_field=_LANG_FIELD if language is Language.UK else Markup(""),
        reset_url=with_language(action, language),
        reset=ui.reset_filters,
    )


async def map_page(request: Request) -> Response:
    language = language_of(request)
    raw_id = request.path_params["community_id"]
    community = await find_community(request, raw_id)
    if community is None:
        return community_not_found_page(request, raw_id, language)
    settings: Settings = request.app.state.settings
    tiles = tile_source(settings.map_tile_url)
    view = view_from(
        request.query_params, latitude=community.latitude, longitude=community.longitude
    )
    ui = text(language)
    community_path = request.url_for("community", community_id=community.global_id).path
    content = render(
        _MAP,
        community_id=community.global_id,
        graphql_path=request.url_for("graphql").path,
        documents=document_ids(request, "MapClusters", "MapIssues", "MapIssue"),
        latitude=repr(view.latitude),
        longitude=repr(view.longitude),
        zoom=str(view.zoom),
        tile_url=tiles.url_template if tiles else "",
        lang=language.value,
        loading=ui.loading,
        failed=ui.load_failed,
        count=ui.issues_in_view,
        cluster=ui.cluster_label,
        issue=ui.issue_label,
        language_switch=language_switch(request, language),
        name=community.name,
        map_title=ui.map_title,
        community_url=with_language(community_path, language),
        back=ui.back_to_community,
        filters=await _filter_form(
            request, request.url.path, filters_from(request.query_params), language
        ),
        map_label=ui.map_label,
        zoom_in=ui.zoom_in,
        zoom_out=ui.zoom_out,
        attribution=settings.map_tile_attribution if tiles else "",
        retry=ui.retry,
        tiles_failed=ui.tiles_failed,
        no_script=ui.no_script,
        status_label=ui.status,
        category_label=ui.category,
        group_label=ui.affected_group,
        sdg_label=ui.sdg,
        close=ui.close,
    )
    return page(
        request,
        title=f"{ui.map_title} — {community.name}",
        content=content,
        body_class="map",
        scripts=SCRIPTS,
        stylesheets=("places.css",),
        lang=language.value,
        img_sources=(tiles.origin,) if tiles else (),
    )
