/*
 * A small, dependency-free GraphQL client over WebSocket (the graphql-transport-ws protocol).
 *
 * connection_init -> connection_ack, then "subscribe" messages with ids; the server answers
 * with next / error / complete. Pings are answered with pongs, and the client pings too, so a
 * phone that slept or changed networks notices a dead socket instead of waiting forever.
 * When the socket drops, the client reconnects with jittered exponential backoff and
 * re-subscribes every live subscription; the server then re-sends the current snapshot.
 *
 * window.SmartHub.LiveClient(url, options)
 *   .subscribe(query, variables, {next, error, complete}) -> unsubscribe function
 *   .execute(query, variables) -> Promise of the result ({data, errors}) of one operation
 * A query is a document's text, or the id ("sha256:...") of one of the hub's trusted
 * documents (the page's root element lists them in data-documents), sent as documentId.
 * window.SmartHub.latestVersion(onSnapshot) -> onSnapshot wrapped to drop stale versions
 */
(function () {
  "use strict";

  var PROTOCOL = "graphql-transport-ws";
  var ACK_TIMEOUT_MS = 10000;
  var PING_INTERVAL_MS = 15000;
  var PONG_TIMEOUT_MS = 10000;
  var EXECUTE_TIMEOUT_MS = 20000;
  var RETRY_BASE_MS = 500;
  var RETRY_MAX_MS = 30000;
  // Closed by the server for a reason a retry cannot fix.
  var FATAL_CLOSE_CODES = { 4403: "forbidden" };

  function websocketUrl(path) {
    var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    return scheme + "//" + window.location.host + path;
  }

  function noop() {}

  function LiveClient(url, options) {
    options = options || {};
    this.url = url;
    this.connectionParams = options.connectionParams || {};
    this.onStatus = options.onStatus || noop;
    this.socket = null;
    this.acknowledged = false;
    this.attempt = 0;
    this.nextId = 1;
    this.operations = {}; // id -> {payload, sink, streaming, sent}
    this.timers = {};
    this.stopped = false;
    var client = this;
    // Back online (phone left a tunnel, Wi-Fi came back): skip the remaining backoff.
    window.addEventListener("online", function () {
      if (Object.keys(client.operations).length > 0) {
        client.reconnectNow();
      }
    });
  }

  LiveClient.prototype.status = function (state, detail) {
    try {
      this.onStatus(state, detail);
    } catch (problem) {
      window.console.error(problem);
    }
  };

  LiveClient.prototype.clearTimer = function (name) {
    if (this.timers[name]) {
      window.clearTimeout(this.timers[name]);
      delete this.timers[name];
    }
  };

  LiveClient.prototype.setTimer = function (name, delay, action) {
    this.clearTimer(name);
    this.timers[name] = window.setTimeout(action, delay);
  };

  LiveClient.prototype.connect = function () {
    if (this.socket || this.stopped) {
      return;
    }
    var client = this;
    var socket = new WebSocket(this.url, PROTOCOL);
    this.socket = socket;
    this.acknowledged = false;
    this.status(this.attempt === 0 ? "connecting" : "reconnecting");
    socket.onopen = function () {
      client.send({ type: "connection_init", payload: client.connectionParams });
      client.setTimer("ack", ACK_TIMEOUT_MS, function () {
        socket.close(4408, "connection_ack timeout");
      });
    };
    socket.onmessage = function (event) {
      if (client.socket === socket) {
        client.receive(event.data);
      }
    };
    socket.onclose = function (event) {
      if (client.socket === socket) {
        client.closed(event);
      }
    };
  };

  LiveClient.prototype.send = function (message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
      return true;
    }
    return false;
  };

  LiveClient.prototype.receive = function (raw) {
    var message;
    try {
      message = JSON.parse(raw);
    } catch (problem) {
      this.socket.close(4400, "invalid JSON");
      return;
    }
    this.alive();
    var operation = message.id !== undefined ? this.operations[message.id] : undefined;
    switch (message.type) {
      case "connection_ack":
        this.acknowledged = true;
        this.attempt = 0;
        this.clearTimer("ack");
        this.status("live");
        this.sendPending();
        break;
      case "ping":
        this.send({ type: "pong" });
        break;
      case "pong":
        break;
      case "next":
        if (operation) {
          operation.sink.next(message.payload);
        }
        break;
      case "error":
        if (operation) {
          delete this.operations[message.id];
          operation.sink.error(message.payload);
        }
        break;
      case "complete":
        if (operation) {
          delete this.operations[message.id];
          operation.sink.complete();
        }
        break;
      default:
        this.socket.close(4400, "unknown message type");
    }
  };

  // Any message proves the connection lives: schedule the next ping from now.
  LiveClient.prototype.alive = function () {
    var client = this;
    this.clearTimer("pong");
    this.setTimer("ping", PING_INTERVAL_MS, function () {
      if (client.send({ type: "ping" })) {
        client.setTimer("pong", PONG_TIMEOUT_MS, function () {
          client.reconnectNow();
        });
      }
    });
  };

  LiveClient.prototype.sendPending = function () {
    var ids = Object.keys(this.operations);
    for (var i = 0; i < ids.length; i += 1) {
      var operation = this.operations[ids[i]];
      if (!operation.sent) {
        operation.sent = true;
        this.send({ id: ids[i], type: "subscribe", payload: operation.payload });
      }
    }
  };

  LiveClient.prototype.closed = function (event) {
    this.socket = null;
    this.acknowledged = false;
    ["ack", "ping", "pong"].forEach(this.clearTimer, this);
    var ids = Object.keys(this.operations);
    for (var i = 0; i < ids.length; i += 1) {
      var operation = this.operations[ids[i]];
      if (operation.streaming) {
        operation.sent = false; // re-subscribed after the next connection_ack
      } else if (operation.sent) {
        // A mutation may or may not have run: let the caller decide whether to retry.
        delete this.operations[ids[i]];
        operation.sink.error([{ message: "The connection was lost. Please try again." }]);
      }
    }
    if (FATAL_CLOSE_CODES[event.code]) {
      this.stopped = true;
      this.status("failed", FATAL_CLOSE_CODES[event.code]);
      return;
    }
    this.scheduleReconnect();
  };

  LiveClient.prototype.scheduleReconnect = function () {
    if (this.stopped || Object.keys(this.operations).length === 0) {
      this.status("idle");
      return;
    }
    var ceiling = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * Math.pow(2, this.attempt));
    // "Equal jitter": never hammer the server, and spread a hall's phones apart.
    var delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.attempt += 1;
    this.status("reconnecting", Math.round(delay));
    var client = this;
    this.setTimer("retry", delay, function () {
      delete client.timers.retry;
      client.connect();
    });
  };

  LiveClient.prototype.reconnectNow = function () {
    var socket = this.socket;
    if (socket) {
      socket.onclose = null;
      socket.close();
      this.closed({ code: 1000 });
    }
    this.clearTimer("retry");
    this.attempt = 0;
    this.connect();
  };

  LiveClient.prototype.start = function (id, operation) {
    this.operations[id] = operation;
    if (this.acknowledged) {
      operation.sent = true;
      this.send({ id: id, type: "subscribe", payload: operation.payload });
    } else {
      this.clearTimer("retry");
      this.connect();
    }
  };

  function operationPayload(query, variables) {
    if (query.indexOf("sha256:") === 0) {
      return { documentId: query, variables: variables || {} };
    }
    return { query: query, variables: variables || {} };
  }

  // The ids of the trusted documents a page was rendered with (its data-documents).
  function pageDocuments(root) {
    try {
      return JSON.parse((root && root.dataset.documents) || "{}");
    } catch (error) {
      return {};
    }
  }

  LiveClient.prototype.subscribe = function (query, variables, sink) {
    var id = String(this.nextId++);
    var client = this;
    this.start(id, {
      payload: operationPayload(query, variables),
      sink: { next: sink.next || noop, error: sink.error || noop, complete: sink.complete || noop },
      streaming: true,
      sent: false,
    });
    return function unsubscribe() {
      if (client.operations[id]) {
        delete client.operations[id];
        client.send({ id: id, type: "complete" });
      }
    };
  };

  LiveClient.prototype.execute = function (query, variables) {
    var id = String(this.nextId++);
    var client = this;
    return new Promise(function (resolve, reject) {
      var result = null;
      var finish = function (action, value) {
        window.clearTimeout(timeout);
        action(value);
      };
      var timeout = window.setTimeout(function () {
        if (client.operations[id]) {
          delete client.operations[id];
          client.send({ id: id, type: "complete" });
        }
        reject(new Error("No answer from the server. Please try again."));
      }, EXECUTE_TIMEOUT_MS);
      client.start(id, {
        payload: operationPayload(query, variables),
        sink: {
          next: function (payload) {
            result = payload;
          },
          error: function (errors) {
            finish(reject, new Error((errors && errors[0] && errors[0].message) || "Request failed"));
          },
          complete: function () {
            finish(resolve, result || { errors: [{ message: "No result" }] });
          },
        },
        streaming: false,
        sent: false,
      });
    });
  };

  // Snapshots carry a version that only grows; after a reconnect or a race between
  // processes an older one may still arrive: keep the highest seen, drop anything lower.
  function latestVersion(onSnapshot) {
    var highest = -1;
    return function (snapshot) {
      if (!snapshot || typeof snapshot.version !== "number" || snapshot.version < highest) {
        return false;
      }
      highest = snapshot.version;
      onSnapshot(snapshot);
      return true;
    };
  }

  window.SmartHub = window.SmartHub || {};
  window.SmartHub.LiveClient = LiveClient;
  window.SmartHub.latestVersion = latestVersion;
  window.SmartHub.websocketUrl = websocketUrl;
  window.SmartHub.operationPayload = operationPayload;
  window.SmartHub.pageDocuments = pageDocuments;
})();
