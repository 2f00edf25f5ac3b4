"""What the map page starts from: the filters and the view read from its URL, and tiles.

The map keeps its state in the URL (``?status=OPEN&sdg=11&lat=..&lon=..&z=14``), so a
reload or a shared link shows the same view; anything malformed is ignored, never an error.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.datastructures import QueryParams

from models import AffectedGroup, IssueCategory, IssueStatus, Sector

MIN_ZOOM = 3
MAX_ZOOM = 19
DEFAULT_ZOOM = 13
TILE_PLACEHOLDERS = ("{z}", "{x}", "{y}")
# A host and port only: the origin goes into the Content-Security-Policy header.
_ORIGIN_HOST = re.compile(r"[A-Za-z0-9.\-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")


@dataclass(frozen=True)
class MapFilters:
    """The filter choices as the form's field values; empty means "any"."""

    status: str = ""
    sdg: str = ""
    group: str = ""
    category: str = ""
    sector: str = ""


@dataclass(frozen=True)
class MapView:
    latitude: float
    longitude: float
    zoom: int


@dataclass(frozen=True)
class TileSource:
    url_template: str
    origin: str  # for the Content-Security-Policy's img-src


def _choice(params: QueryParams, name: str, allowed: set[str]) -> str:
    value = params.get(name, "")
    return value if value in allowed else ""


def filters_from(params: QueryParams) -> MapFilters:
    return MapFilters(
        status=_choice(params, "status", {status.value for status in IssueStatus}),
        sdg=_choice(params, "sdg", {str(goal) for goal in range(1, 18)}),
        group=_choice(params, "group", {group.value for group in AffectedGroup}),
        category=_choice(params, "category", {category.value for category in IssueCategory}),
        sector=_choice(params, "sector", {sector.value for sector in Sector}),
    )


def _number(params: QueryParams, name: str, low: float, high: float) -> float | None:
    try:
        value = float(params.get(name, ""))
    except ValueError:
        return None
    return value if low <= value <= high else None  # also refuses nan and inf


def view_from(params: QueryParams, *, latitude: float, longitude: float) -> MapView:
    """The view in the URL, else the community's centre at the default zoom."""
    given_latitude = _number(params, "lat", -85, 85)
    given_longitude = _number(params, "lon", -180, 180)
    given_zoom = _number(params, "z", MIN_ZOOM, MAX_ZOOM)
    return MapView(
        latitude=latitude if given_latitude is None else given_latitude,
        longitude=longitude if given_longitude is None else given_longitude,
        zoom=DEFAULT_ZOOM if given_zoom is None else int(given_zoom),
    )


def tile_source(url_template: str) -> TileSource | None:
    """The tile server of ``MAP_TILE_URL``, or None: unset, or not an http(s) URL template
    with ``{z}``, ``{x}`` and ``{y}`` (the page then draws a plain background)."""
    parts = urlsplit(url_template)
    usable = (
        parts.scheme in ("http", "https")
        and _ORIGIN_HOST.fullmatch(parts.netloc)
        and all(placeholder in url_template for placeholder in TILE_PLACEHOLDERS)
    )
    if not usable:
        return None
    return TileSource(url_template=url_template, origin=f"{parts.scheme}://{parts.netloc}")
