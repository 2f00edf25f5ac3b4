/*
 * The map itself, drawn as SVG: a plain background, optional tiles, then clusters and issue
 * markers, all placed in web mercator (map-projection.js) for the current centre and zoom.
 *
 * Tiles are decoration. An empty template means none; a tile that fails to load is removed
 * (never retried this session) and reported, and after TILE_FAILURE_LIMIT failures without a
 * single success the canvas stops asking that server — the markers never depend on tiles.
 *
 * new window.SmartHub.MapCanvas(svg, {tileUrl, onTiles(state), onActivate(item, element)})
 *   .setView(latitude, longitude, zoom) .panBy(dx, dy) .zoomAround(x, y, steps)
 *   .fitBounds(bounds) .resize() .bbox() .centre() .setItems(items) .draw()
 * Items: {kind: "cluster"|"marker", latitude, longitude, count, id, label, status}.
 */
(function () {
  "use strict";

  var M = window.SmartHub.Mercator;
  var SVG_NS = "http://www.w3.org/2000/svg";
  var MIN_ZOOM = 3;
  var MAX_ZOOM = 19;
  var TILE_FAILURE_LIMIT = 8;
  var GRID_PX = 64;
  var PIN_PATH = "M0 0C-2-6-10-11-10-19a10 10 0 1 1 20 0c0 8-8 13-10 19z";

  function element(name, attributes, parent) {
    var node = document.createElementNS(SVG_NS, name);
    Object.keys(attributes).forEach(function (key) {
      node.setAttribute(key, String(attributes[key]));
    });
    if (parent) {
      parent.appendChild(node);
    }
    return node;
  }

  function translate(x, y) {
    return "translate(" + x.toFixed(1) + " " + y.toFixed(1) + ")";
  }

  function MapCanvas(svg, options) {
    this.svg = svg;
    this.tileUrl = options.tileUrl || "";
    this.onTiles = options.onTiles || function () {};
    this.onActivate = options.onActivate || function () {};
    this.zoom = MIN_ZOOM;
    this.centreX = 0;
    this.centreY = 0;
    this.width = 1;
    this.height = 1;
    this.items = [];
    this.tiles = {}; // "z/x/y" -> <image>
    this.failedTiles = {};
    this.tileCounts = { loaded: 0, failed: 0 };
    // A faint grid that moves with the map, so panning reads even without tiles.
    this.grid = element(
      "pattern",
      { id: "map-grid", width: GRID_PX, height: GRID_PX, patternUnits: "userSpaceOnUse" },
      element("defs", {}, svg)
    );
    element("path", { d: "M" + GRID_PX + " 0H0V" + GRID_PX, class: "map-grid-line" }, this.grid);
    element("rect", { class: "map-background", width: "100%", height: "100%" }, svg);
    element("rect", { width: "100%", height: "100%", fill: "url(#map-grid)" }, svg);
    this.tileLayer = element("g", { class: "map-tiles", "aria-hidden": "true" }, svg);
    this.itemLayer = element("g", { class: "map-items" }, svg);
    this.onTiles(this.tileUrl ? "loading" : "off");
    this.resize();
  }

  MapCanvas.MIN_ZOOM = MIN_ZOOM;
  MapCanvas.MAX_ZOOM = MAX_ZOOM;

  // Returns whether the size changed.
  MapCanvas.prototype.resize = function () {
    var box = this.svg.getBoundingClientRect();
    var width = Math.max(1, Math.round(box.width));
    var height = Math.max(1, Math.round(box.height));
    if (width === this.width && height === this.height) {
      return false;
    }
    this.width = width;
    this.height = height;
    this.svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    this.clampCentre();
    return true;
  };

  // Keep the view inside the world: no wrapping, and never a box across the antimeridian.
  MapCanvas.prototype.clampCentre = function () {
    var size = M.worldSize(this.zoom);
    var halfWidth = Math.min(this.width / 2, size / 2);
    var halfHeight = Math.min(this.height / 2, size / 2);
    this.centreX = M.clamp(this.centreX, halfWidth, size - halfWidth);
    this.centreY = M.clamp(this.centreY, halfHeight, size - halfHeight);
  };

  MapCanvas.prototype.setView = function (latitude, longitude, zoom) {
    this.zoom = M.clamp(Math.round(zoom), MIN_ZOOM, MAX_ZOOM);
    var point = M.project(latitude, longitude, this.zoom);
    this.centreX = point.x;
    this.centreY = point.y;
    this.clampCentre();
  };

  MapCanvas.prototype.panBy = function (dx, dy) {
    this.centreX -= dx;
    this.centreY -= dy;
    this.clampCentre();
  };

  // Zoom by whole steps keeping the point under (x, y) of the screen where it is.
  MapCanvas.prototype.zoomAround = function (x, y, steps) {
    var zoom = M.clamp(this.zoom + steps, MIN_ZOOM, MAX_ZOOM);
    if (zoom === this.zoom) {
      return false;
    }
    var factor = Math.pow(2, zoom - this.zoom);
    var offsetX = x - this.width / 2;
    var offsetY = y - this.height / 2;
    this.centreX = (this.centreX + offsetX) * factor - offsetX;
    this.centreY = (this.centreY + offsetY) * factor - offsetY;
    this.zoom = zoom;
    this.clampCentre();
    return true;
  };

  // Show `bounds` ({south, west, north, east}) as large as fits, at least one step closer.
  MapCanvas.prototype.fitBounds = function (bounds) {
    var zoom = this.zoom + 1;
    while (zoom < MAX_ZOOM) {
      var southWest = M.project(bounds.south, bounds.west, zoom + 1);
      var northEast = M.project(bounds.north, bounds.east, zoom + 1);
      var fits =
        northEast.x - southWest.x <= this.width * 0.8 &&
        southWest.y - northEast.y <= this.height * 0.8;
      if (!fits) {
        break;
      }
      zoom += 1;
    }
    this.setView((bounds.south + bounds.north) / 2, (bounds.west + bounds.east) / 2, zoom);
  };

  MapCanvas.prototype.centre = function () {
    return M.unproject(this.centreX, this.centreY, this.zoom);
  };

  MapCanvas.prototype.edges = function () {
    var size = M.worldSize(this.zoom);
    return {
      left: Math.max(0, this.centreX - this.width / 2),
      right: Math.min(size, this.centreX + this.width / 2),
      top: Math.max(0, this.centreY - this.height / 2),
      bottom: Math.min(size, this.centreY + this.height / 2),
    };
  };

  function round(value) {
    return Math.round(value * 1e6) / 1e6;
  }

  MapCanvas.prototype.bbox = function () {
    var edges = this.edges();
    var northWest = M.unproject(edges.left, edges.top, this.zoom);
    var southEast = M.unproject(edges.right, edges.bottom, this.zoom);
    return {
      south: round(southEast.latitude),
      west: round(Math.max(-180, northWest.longitude)),
      north: round(northWest.latitude),
      east: round(Math.min(180, southEast.longitude)),
    };
  };

  MapCanvas.prototype.toScreen = function (latitude, longitude) {
    var point = M.project(latitude, longitude, this.zoom);
    return {
      x: point.x - (this.centreX - this.width / 2),
      y: point.y - (this.centreY - this.height / 2),
    };
  };

  MapCanvas.prototype.draw = function () {
    var shiftX = -((this.centreX - this.width / 2) % GRID_PX);
    var shiftY = -((this.centreY - this.height / 2) % GRID_PX);
    this.grid.setAttribute("patternTransform", translate(shiftX, shiftY));
    this.drawTiles();
    var canvas = this;
    this.items.forEach(function (item) {
      var at = canvas.toScreen(item.latitude, item.longitude);
      item.element.setAttribute("transform", translate(at.x, at.y));
    });
  };

  MapCanvas.prototype.tilesEnabled = function () {
    return (
      this.tileUrl !== "" &&
      !(this.tileCounts.loaded === 0 && this.tileCounts.failed >= TILE_FAILURE_LIMIT)
    );
  };

  MapCanvas.prototype.drawTiles = function () {
    var wanted = {};
    if (this.tilesEnabled()) {
      var originX = this.centreX - this.width / 2;
      var originY = this.centreY - this.height / 2;
      var edges = this.edges();
      var canvas = this;
      M.visibleTiles(this.zoom, edges.left, edges.top, edges.right, edges.bottom).forEach(
        function (tile) {
          var key = tile.z + "/" + tile.x + "/" + tile.y;
          if (canvas.failedTiles[key]) {
            return;
          }
          var image = canvas.tiles[key] || canvas.addTile(key, tile);
          image.setAttribute("x", String(tile.left - originX));
          image.setAttribute("y", String(tile.top - originY));
          wanted[key] = true;
        }
      );
    }
    Object.keys(this.tiles).forEach(function (key) {
      if (!wanted[key]) {
        this.tiles[key].remove();
        delete this.tiles[key];
      }
    }, this);
  };

  MapCanvas.prototype.addTile = function (key, tile) {
    var canvas = this;
    var image = element(
      "image",
      { width: M.TILE_SIZE, height: M.TILE_SIZE, preserveAspectRatio: "none", class: "map-tile" },
      this.tileLayer
    );
    image.addEventListener("load", function () {
      canvas.tileCounts.loaded += 1;
      canvas.onTiles("loaded");
    });
    image.addEventListener("error", function () {
      canvas.tileCounts.failed += 1;
      canvas.failedTiles[key] = true;
      if (canvas.tiles[key] === image) {
        delete canvas.tiles[key];
      }
      image.remove();
      canvas.onTiles("failed");
    });
    image.setAttribute("href", M.tileUrl(this.tileUrl, tile));
    this.tiles[key] = image;
    return image;
  };

  function clusterElement(item) {
    var radius = Math.min(32, 13 + 4 * Math.log2(item.count));
    var group = element("g", {
      class: "map-cluster",
      role: "button",
      tabindex: 0,
      "aria-label": item.label,
      "data-count": item.count,
    });
    element("circle", { r: radius.toFixed(1), class: "map-cluster-halo" }, group);
    element("circle", { r: (radius - 4).toFixed(1), class: "map-cluster-body" }, group);
    var text = element(
      "text",
      { class: "map-cluster-count", "text-anchor": "middle", dy: "0.35em" },
      group
    );
    text.textContent = String(item.count);
    return group;
  }

  function markerElement(item) {
    var group = element("g", {
      class: "map-marker status-" + (item.status || "UNKNOWN"),
      role: "button",
      tabindex: 0,
      "aria-label": item.label,
      "data-issue-id": item.id,
    });
    element("path", { d: PIN_PATH, class: "map-marker-pin" }, group);
    element("circle", { cy: -19, r: 4, class: "map-marker-dot" }, group);
    return group;
  }

  MapCanvas.prototype.setItems = function (items) {
    var layer = this.itemLayer;
    var canvas = this;
    while (layer.firstChild) {
      layer.removeChild(layer.firstChild);
    }
    this.items = items.map(function (item) {
      var node = item.kind === "cluster" ? clusterElement(item) : markerElement(item);
      node.addEventListener("click", function (event) {
        event.stopPropagation();
        canvas.onActivate(item, node);
      });
      node.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          event.stopPropagation();
          canvas.onActivate(item, node);
        }
      });
      layer.appendChild(node);
      return { latitude: item.latitude, longitude: item.longitude, element: node };
    });
    this.draw();
  };

  window.SmartHub = window.SmartHub || {};
  window.SmartHub.MapCanvas = MapCanvas;
})();
