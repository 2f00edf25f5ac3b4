/*
 * The map page's reads, as GraphQL over HTTP POST (plain fetch; nothing live to subscribe to).
 *
 * window.SmartHub.MapData(graphqlPath, documents)  (documents: the page's trusted document ids)
 *   .clusters(bbox, zoom, filter, signal) -> Promise of {totalCount, clusters}
 *   .issues(bbox, filter, limit, signal)  -> Promise of {totalCount, nodes} (at most `limit`)
 *   .issue(id)                            -> Promise of one issue's details, or null
 * A typed error result (`... on Error`) or a GraphQL error rejects with a MapDataError whose
 * message is the server's; an aborted request rejects with the fetch's AbortError.
 */
(function () {
  "use strict";

  var PAGE_SIZE = 100; // the API's largest page

  function MapDataError(message, code) {
    this.name = "MapDataError";
    this.message = message;
    this.code = code || "";
  }
  MapDataError.prototype = Object.create(Error.prototype);

  // documents: the ids of the page's trusted documents (MapClusters, MapIssues, MapIssue).
  function MapData(graphqlPath, documents) {
    this.graphqlPath = graphqlPath;
    this.documents = documents;
  }

  // Reads of trusted documents go over GET, so the browser (and any cache between it and
  // the hub) may keep them for a while: the map asks for the same boxes again and again.
  MapData.prototype.execute = function (name, variables, signal) {
    var query = new URLSearchParams({
      documentId: this.documents[name],
      variables: JSON.stringify(variables),
    });
    return window
      .fetch(this.graphqlPath + "?" + query.toString(), {
        method: "GET",
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: signal,
      })
      .then(function (response) {
        if (!response.ok) {
          throw new MapDataError("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (body) {
        if (body.errors && body.errors.length) {
          throw new MapDataError(body.errors[0].message);
        }
        return body.data;
      });
  };

  function unwrap(result, typename) {
    if (result.__typename !== typename) {
      throw new MapDataError(result.message || result.__typename, result.code);
    }
    return result;
  }

  MapData.prototype.clusters = function (bbox, zoom, filter, signal) {
    var variables = { bbox: bbox, zoom: zoom, filter: filter };
    return this.execute("MapClusters", variables, signal).then(function (data) {
      return unwrap(data.issueClusters, "IssueClusters");
    });
  };

  // Pages through issuesInArea until the end, unless the box holds more than `limit`.
  MapData.prototype.issues = function (bbox, filter, limit, signal) {
    var data = this;
    var collected = [];
    function page(after) {
      var variables = { bbox: bbox, filter: filter, first: PAGE_SIZE, after: after };
      return data.execute("MapIssues", variables, signal).then(function (result) {
        var connection = unwrap(result.issuesInArea, "IssueConnection");
        collected = collected.concat(connection.nodes);
        // More than `limit` in the box: the caller shows clusters instead, so stop here.
        var more =
          connection.pageInfo.hasNextPage &&
          connection.totalCount <= limit &&
          collected.length < limit;
        if (more) {
          return page(connection.pageInfo.endCursor);
        }
        return { totalCount: connection.totalCount, nodes: collected.slice(0, limit) };
      });
    }
    return page(null);
  };

  MapData.prototype.issue = function (id) {
    return this.execute("MapIssue", { id: id }).then(function (data) {
      return data.node && data.node.__typename === "Issue" ? data.node : null;
    });
  };

  window.SmartHub = window.SmartHub || {};
  window.SmartHub.MapData = MapData;
  window.SmartHub.MapDataError = MapDataError;
})();
