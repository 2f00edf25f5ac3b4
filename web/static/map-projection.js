/*
 * Web mercator for the map page, in "world pixels": at zoom z the world is a square of
 * 256 * 2^z pixels, x growing east from the antimeridian, y growing south from ~85.05°N —
 * the same grid slippy-map tile servers use, so tile (z, x, y) covers
 * [256x, 256x + 256) × [256y, 256y + 256).
 *
 * window.SmartHub.Mercator: project, unproject, worldSize, visibleTiles, tileUrl.
 */
(function () {
  "use strict";

  var TILE_SIZE = 256;
  var MAX_LATITUDE = 85.05112878; // where the mercator square ends

  function worldSize(zoom) {
    return TILE_SIZE * Math.pow(2, zoom);
  }

  function clamp(value, low, high) {
    return Math.max(low, Math.min(high, value));
  }

  function project(latitude, longitude, zoom) {
    var size = worldSize(zoom);
    var sine = Math.sin((clamp(latitude, -MAX_LATITUDE, MAX_LATITUDE) * Math.PI) / 180);
    return {
      x: ((longitude + 180) / 360) * size,
      y: (0.5 - Math.log((1 + sine) / (1 - sine)) / (4 * Math.PI)) * size,
    };
  }

  function unproject(x, y, zoom) {
    var size = worldSize(zoom);
    var n = Math.PI - (2 * Math.PI * y) / size;
    return {
      latitude: (180 / Math.PI) * Math.atan(Math.sinh(n)),
      longitude: (x / size) * 360 - 180,
    };
  }

  // Tiles covering the rectangle [left, right) × [top, bottom) of world pixels at `zoom`.
  // Columns wrap around the antimeridian; rows outside the world are skipped.
  function visibleTiles(zoom, left, top, right, bottom) {
    var count = Math.pow(2, zoom);
    var tiles = [];
    var firstRow = Math.max(0, Math.floor(top / TILE_SIZE));
    var lastRow = Math.min(count - 1, Math.floor((bottom - 1) / TILE_SIZE));
    var firstColumn = Math.floor(left / TILE_SIZE);
    var lastColumn = Math.floor((right - 1) / TILE_SIZE);
    for (var row = firstRow; row <= lastRow; row += 1) {
      for (var column = firstColumn; column <= lastColumn; column += 1) {
        tiles.push({
          z: zoom,
          x: ((column % count) + count) % count,
          y: row,
          left: column * TILE_SIZE,
          top: row * TILE_SIZE,
        });
      }
    }
    return tiles;
  }

  function tileUrl(template, tile) {
    return template
      .split("{z}")
      .join(String(tile.z))
      .split("{x}")
      .join(String(tile.x))
      .split("{y}")
      .join(String(tile.y));
  }

  window.SmartHub = window.SmartHub || {};
  window.SmartHub.Mercator = {
    TILE_SIZE: TILE_SIZE,
    MAX_LATITUDE: MAX_LATITUDE,
    worldSize: worldSize,
    clamp: clamp,
    project: project,
    unproject: unproject,
    visibleTiles: visibleTiles,
    tileUrl: tileUrl,
  };
})();
