/*
 * The map page's reads, as GraphQL over HTTP POST (plain fetch; nothing live to subscribe to).
 *
 * window.SmartHub.MapData(graphqlPath)
 *   .clusters(bbox, zoom, filter, signal) -> Promise of {totalCount, clusters}
 *   .issues(bbox, filter, limit, signal)  -> Promise of {totalCount, nodes} (at most `limit`)
 *   .issue(id)                            -> Promise of one issue's details, or null
 * A typed error result (`... on Error`) or a GraphQL error rejects with a MapDataError whose
 * message is the server's; an aborted request rejects with the fetch's AbortError.
 */
(function () {
  "use strict";

  var ISSUE_FIELDS =
    "id title status category location { latitude longitude } affectedGroups sdgGoals";

  var CLUSTERS = [
    "query MapClusters($bbox: BoundingBoxInput!, $zoom: Int!, $filter: MapFilter!) {",
    "  issueClusters(bbox: $bbox, zoom: $zoom, filter: $filter) {",
    "    __typename",
    "    ... on IssueClusters { totalCount clusters {",
    "      centre { latitude longitude } count bounds { south west north east }",
    "      topAffectedGroups { group count } issueIds } }",
    "    ... on Error { code field message }",
    "  }",
    "}",
  ].join("\n");

  var ISSUES = [
    "query MapIssues($bbox: BoundingBoxInput!, $filter: MapFilter!, $first: Int, $after: String) {",
    "  issuesInArea(bbox: $bbox, filter: $filter, first: $first, after: $after) {",
    "    __typename",
    "    ... on IssueConnection { totalCount pageInfo { hasNextPage endCursor }",
    "      nodes { " + ISSUE_FIELDS + " } }",
    "    ... on Error { code field message }",
    "  }",
    "}",
  ].join("\n");

  var ISSUE = [
    "query MapIssue($id: ID!) {",
    "  node(id: $id) { __typename ... on Issue { " + ISSUE_FIELDS + " } }",
    "}",
  ].join("\n");

  var PAGE_SIZE = 100; // the API's largest page

  function MapDataError(message, code) {
    this.name = "MapDataError";
    this.message = message;
    this.code = code || "";
  }
  MapDataError.prototype = Object.create(Error.prototype);

  function MapData(graphqlPath) {
    this.graphqlPath = graphqlPath;
  }

  MapData.prototype.execute = function (query, variables, signal) {
    return window
      .fetch(this.graphqlPath, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ query: query, variables: variables }),
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
    return this.execute(CLUSTERS, variables, signal).then(function (data) {
      return unwrap(data.issueClusters, "IssueClusters");
    });
  };

  // Pages through issuesInArea until the end, unless the box holds more than `limit`.
  MapData.prototype.issues = function (bbox, filter, limit, signal) {
    var data = this;
    var collected = [];
    function page(after) {
      var variables = { bbox: bbox, filter: filter, first: PAGE_SIZE, after: after };
      return data.execute(ISSUES, variables, signal).then(function (result) {
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
    return this.execute(ISSUE, { id: id }).then(function (data) {
      return data.node && data.node.__typename === "Issue" ? data.node : null;
    });
  };

  window.SmartHub = window.SmartHub || {};
  window.SmartHub.MapData = MapData;
  window.SmartHub.MapDataError = MapDataError;
})();
