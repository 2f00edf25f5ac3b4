/*
 * The community map page (web/pages/map.py): keeps the view and the filters in the URL,
 * fetches what is in the visible box whenever either changes, and shows an issue's details.
 *
 * Below DETAIL_ZOOM it asks issueClusters and draws a circle per cluster (a marker for a
 * cluster of one); from DETAIL_ZOOM on it asks issuesInArea and draws every issue, unless the
 * box holds more than MARKER_LIMIT, when clusters stay. Only the newest answer is drawn.
 * Text reaches the page through textContent and attributes only, never as HTML.
 *
 * For tests and tools, the root element carries data-state (loading / ready / error),
 * data-total, data-kind (clusters / issues), data-zoom, data-bbox and data-tiles
 * (off / loading / loaded / failed).
 */
(function () {
  "use strict";

  var DETAIL_ZOOM = 16;
  var MARKER_LIMIT = 300;
  var FETCH_DELAY_MS = 150;
  var FILTERS = ["status", "sdg", "group", "category", "sector"];

  function format(template, count) {
    return template.split("{count}").join(String(count));
  }

  function MapPage(root) {
    this.root = root;
    this.form = root.querySelector("[data-map-filters]");
    this.statusText = root.querySelector('[data-field="status"]');
    this.retryButton = root.querySelector('[data-action="retry"]');
    this.tilesNote = root.querySelector('[data-field="tiles-note"]');
    this.detail = root.querySelector('[data-field="detail"]');
    this.data = new window.SmartHub.MapData(
      root.dataset.graphqlPath,
      JSON.parse(root.dataset.documents || "{}")
    );
    this.texts = {
      count: root.dataset.textCount,
      cluster: root.dataset.textCluster,
      issue: root.dataset.textIssue,
      failed: root.dataset.textFailed,
      loading: root.dataset.textLoading,
    };
    this.sequence = 0;
    this.inFlight = null;
    this.timer = null;
    this.issues = {}; // id -> details already known
    var page = this;
    this.canvas = new window.SmartHub.MapCanvas(root.querySelector("[data-map]"), {
      tileUrl: root.dataset.tileUrl,
      onTiles: function (state) {
        page.tilesChanged(state);
      },
      onActivate: function (item, element) {
        page.activate(item, element);
      },
    });
  }

  MapPage.prototype.start = function () {
    var page = this;
    var root = this.root;
    this.canvas.setView(
      Number(root.dataset.latitude),
      Number(root.dataset.longitude),
      Number(root.dataset.zoom)
    );
    this.canvas.draw();
    this.statusText.textContent = this.texts.loading;
    window.SmartHub.attachMapGestures(this.canvas.svg, this.canvas, function () {
      page.viewChanged();
    });
    root.querySelector('[data-action="zoom-in"]').addEventListener("click", function () {
      page.zoomBy(1);
    });
    root.querySelector('[data-action="zoom-out"]').addEventListener("click", function () {
      page.zoomBy(-1);
    });
    this.retryButton.addEventListener("click", function () {
      page.fetchNow();
    });
    root.querySelector('[data-action="close-detail"]').addEventListener("click", function () {
      page.closeDetail();
    });
    this.form.querySelector('[data-action="apply"]').hidden = true; // changes apply at once
    this.form.addEventListener("change", function () {
      page.filtersChanged();
    });
    this.form.addEventListener("submit", function (event) {
      event.preventDefault();
      page.filtersChanged();
    });
    this.form.querySelector(".map-reset").addEventListener("click", function (event) {
      event.preventDefault();
      page.form.reset();
      FILTERS.forEach(function (name) {
        page.form.elements[name].value = "";
      });
      page.filtersChanged();
    });
    if (window.ResizeObserver) {
      new window.ResizeObserver(function () {
        if (page.canvas.resize()) {
          page.canvas.draw();
          page.viewChanged();
        }
      }).observe(this.canvas.svg);
    }
    this.fetchNow();
  };

  MapPage.prototype.zoomBy = function (steps) {
    if (this.canvas.zoomAround(this.canvas.width / 2, this.canvas.height / 2, steps)) {
      this.canvas.draw();
      this.viewChanged();
    }
  };

  MapPage.prototype.filters = function () {
    var form = this.form;
    var chosen = {};
    FILTERS.forEach(function (name) {
      chosen[name] = form.elements[name].value;
    });
    return chosen;
  };

  MapPage.prototype.apiFilter = function () {
    var chosen = this.filters();
    var filter = { communityId: this.root.dataset.communityId };
    if (chosen.status) filter.status = [chosen.status];
    if (chosen.sdg) filter.sdgGoal = Number(chosen.sdg);
    if (chosen.group) filter.affectedGroup = chosen.group;
    if (chosen.category) filter.category = chosen.category;
    if (chosen.sector) filter.authorSector = chosen.sector;
    return filter;
  };

  // The view and filters in the address bar (reload and shared links keep them).
  MapPage.prototype.rememberState = function () {
    var chosen = this.filters();
    var centre = this.canvas.centre();
    var params = new URLSearchParams();
    if (this.root.dataset.lang === "uk") params.set("lang", "uk");
    FILTERS.forEach(function (name) {
      if (chosen[name]) params.set(name, chosen[name]);
    });
    params.set("lat", centre.latitude.toFixed(5));
    params.set("lon", centre.longitude.toFixed(5));
    params.set("z", String(this.canvas.zoom));
    window.history.replaceState(null, "", "?" + params.toString());
    var languageLink = this.root.querySelector("[data-language-link]");
    if (languageLink) {
      if (params.get("lang") === "uk") params.delete("lang");
      else params.set("lang", "uk");
      languageLink.setAttribute("href", window.location.pathname + "?" + params.toString());
    }
  };

  MapPage.prototype.viewChanged = function () {
    this.root.dataset.zoom = String(this.canvas.zoom);
    var page = this;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () {
      page.fetchNow();
    }, FETCH_DELAY_MS);
  };

  MapPage.prototype.filtersChanged = function () {
    window.clearTimeout(this.timer);
    this.closeDetail();
    this.fetchNow();
  };

  MapPage.prototype.fetchNow = function () {
    window.clearTimeout(this.timer);
    this.rememberState();
    if (this.inFlight) {
      this.inFlight.abort(); // only the newest view matters
    }
    var controller = new AbortController();
    var sequence = (this.sequence += 1);
    var zoom = this.canvas.zoom;
    var bbox = this.canvas.bbox();
    var filter = this.apiFilter();
    var page = this;
    this.inFlight = controller;
    this.root.dataset.state = "loading";
    this.canvas.svg.setAttribute("aria-busy", "true");
    this.retryButton.hidden = true;
    this.load(bbox, zoom, filter, controller.signal).then(
      function (result) {
        if (sequence === page.sequence) page.show(result, bbox, zoom);
      },
      function (problem) {
        if (sequence === page.sequence && problem.name !== "AbortError") page.fail(problem);
      }
    );
  };

  MapPage.prototype.load = function (bbox, zoom, filter, signal) {
    var data = this.data;
    function clusters() {
      return data.clusters(bbox, zoom, filter, signal).then(function (result) {
        return { kind: "clusters", totalCount: result.totalCount, clusters: result.clusters };
      });
    }
    if (zoom < DETAIL_ZOOM) {
      return clusters();
    }
    return data.issues(bbox, filter, MARKER_LIMIT, signal).then(function (result) {
      if (result.totalCount > MARKER_LIMIT) {
        return clusters();
      }
      return { kind: "issues", totalCount: result.totalCount, issues: result.nodes };
    });
  };

  MapPage.prototype.show = function (result, bbox, zoom) {
    var page = this;
    var items;
    if (result.kind === "issues") {
      items = result.issues.map(function (issue) {
        page.issues[issue.id] = issue;
        return page.markerItem(issue.id, issue.location, issue);
      });
    } else {
      items = result.clusters.map(function (cluster) {
        if (cluster.count === 1 && cluster.issueIds.length === 1) {
          var id = cluster.issueIds[0];
          return page.markerItem(id, cluster.centre, page.issues[id]);
        }
        return {
          kind: "cluster",
          latitude: cluster.centre.latitude,
          longitude: cluster.centre.longitude,
          count: cluster.count,
          bounds: cluster.bounds,
          label: format(this.texts.cluster, cluster.count),
        };
      }, this);
    }
    // Southern markers drawn last, so pins overlap the way they would on paper.
    items.sort(function (a, b) {
      return b.latitude - a.latitude;
    });
    this.canvas.setItems(items);
    this.statusText.textContent = format(this.texts.count, result.totalCount);
    var root = this.root;
    root.dataset.total = String(result.totalCount);
    root.dataset.kind = result.kind;
    root.dataset.bbox = [bbox.south, bbox.west, bbox.north, bbox.east].join(",");
    root.dataset.zoom = String(zoom);
    root.dataset.state = "ready";
    this.canvas.svg.setAttribute("aria-busy", "false");
  };

  MapPage.prototype.markerItem = function (id, location, issue) {
    var statusLabel = issue ? this.label("status", issue.status) : "";
    return {
      kind: "marker",
      id: id,
      latitude: location.latitude,
      longitude: location.longitude,
      status: issue ? issue.status : "",
      label: issue ? issue.title + " (" + statusLabel + ")" : this.texts.issue,
    };
  };

  MapPage.prototype.fail = function (problem) {
    this.root.dataset.state = "error";
    this.canvas.svg.setAttribute("aria-busy", "false");
    this.statusText.textContent = this.texts.failed + " " + (problem.message || "");
    this.retryButton.hidden = false;
  };

  MapPage.prototype.tilesChanged = function (state) {
    this.root.dataset.tiles = state;
    if (state === "failed") {
      this.tilesNote.hidden = false;
    }
  };

  MapPage.prototype.activate = function (item, element) {
    if (item.kind === "cluster") {
      this.canvas.fitBounds(item.bounds);
      this.canvas.draw();
      this.viewChanged();
      return;
    }
    var page = this;
    this.opener = element;
    if (this.issues[item.id]) {
      this.showDetail(this.issues[item.id]);
      return;
    }
    this.data.issue(item.id).then(
      function (issue) {
        if (issue) {
          page.issues[issue.id] = issue;
          page.showDetail(issue);
        }
      },
      function (problem) {
        page.fail(problem);
      }
    );
  };

  // The label of an enum value or SDG number, as the filter form shows it.
  MapPage.prototype.label = function (filterName, value) {
    var select = this.form.elements[filterName];
    for (var index = 0; index < select.options.length; index += 1) {
      if (select.options[index].value === String(value)) {
        return select.options[index].textContent;
      }
    }
    return String(value);
  };

  MapPage.prototype.showDetail = function (issue) {
    var page = this;
    function field(name, value) {
      page.detail.querySelector('[data-field="' + name + '"]').textContent = value || "—";
    }
    function labels(filterName, values) {
      return values
        .map(function (value) {
          return page.label(filterName, value);
        })
        .join("; ");
    }
    field("detail-title", issue.title);
    field("detail-status", this.label("status", issue.status));
    field("detail-category", this.label("category", issue.category));
    field("detail-groups", labels("group", issue.affectedGroups));
    field("detail-sdgs", labels("sdg", issue.sdgGoals));
    this.detail.dataset.issueId = issue.id;
    this.detail.hidden = false;
    this.detail.focus();
  };

  MapPage.prototype.closeDetail = function () {
    if (this.detail.hidden) {
      return;
    }
    this.detail.hidden = true;
    if (this.opener && this.opener.isConnected) {
      this.opener.focus();
    }
  };

  var root = document.querySelector("[data-map-root]");
  if (root) {
    new MapPage(root).start();
  }
})();
