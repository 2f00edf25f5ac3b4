"""Distance and bounding-box arithmetic on the sphere, and the clustering grid.

Distances are great-circle (haversine) distances on a sphere of the Earth's mean radius:
within 0.5 % of the ellipsoid, plenty for "issues within 500 m". The same formula runs in
PostgreSQL (``resolvers/spatial_sql.py``) so both databases give the same metres.
"""

import math
from dataclasses import dataclass

EARTH_RADIUS_METERS = 6_371_008.8  # IUGG mean radius
MIN_ZOOM = 0
MAX_ZOOM = 22
# A 256-pixel web-map tile holds this many grid cells per side: cells of 64 pixels, so a
# phone screen (about 400 x 850 pixels) shows a few dozen clusters at any zoom.
CELLS_PER_TILE = 4


@dataclass(frozen=True)
class BoundingBox:
    """A latitude/longitude box, south <= north and west <= east (degrees)."""

    south: float
    west: float
    north: float
    east: float

    def contains(self, latitude: float, longitude: float) -> bool:
        return self.south <= latitude <= self.north and self.west <= longitude <= self.east


def haversine_meters(
    latitude_a: float, longitude_a: float, latitude_b: float, longitude_b: float
) -> float:
    """Great-circle distance between two points, in metres."""
    phi_a, phi_b = math.radians(latitude_a), math.radians(latitude_b)
    half_dphi = math.radians(latitude_b - latitude_a) / 2
    half_dlambda = math.radians(longitude_b - longitude_a) / 2
    h = math.sin(half_dphi) ** 2 + math.cos(phi_a) * math.cos(phi_b) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_METERS * math.asin(min(1.0, math.sqrt(h)))


def box_around(latitude: float, longitude: float, radius_meters: float) -> BoundingBox:
    """The smallest box holding every point within ``radius_meters`` of the centre.

    The longitude half-width is the exact one for a circle on the sphere (the circle's
    tangent meridians), not radius / cos(latitude), which is too narrow near the poles.
    Circles reaching a pole or the antimeridian get every longitude: always a superset.
    """
    angular_radius = radius_meters / EARTH_RADIUS_METERS
    half_height = math.degrees(angular_radius)
    south, north = latitude - half_height, latitude + half_height
    if south <= -90 or north >= 90:
        return BoundingBox(max(south, -90.0), -180.0, min(north, 90.0), 180.0)
    ratio = math.sin(angular_radius) / math.cos(math.radians(latitude))
    half_width = math.degrees(math.asin(ratio)) if ratio < 1 else 180.0
    west, east = longitude - half_width, longitude + half_width
    if west < -180 or east > 180:
        west, east = -180.0, 180.0
    return BoundingBox(south, west, north, east)


def cell_size_degrees(zoom: int) -> float:
    """Side of a clustering grid cell at a zoom: a web-map tile spans 360 / 2^zoom degrees.

    Cells are square in degrees, so away from the equator they look taller than wide on a
    Mercator map (1.5 times at 49° N); that keeps the grid global, so a cluster never
    changes when the map is panned.
    """
    return 360.0 / float(2**zoom) / CELLS_PER_TILE
