/*
 * The attendee's page: join the event (joinEvent), watch it live (event-view.js), and support
 * projects (supportPitch), all over the page's one graphql-transport-ws connection.
 *
 * The attendee token joinEvent returns is kept in localStorage per event, with the projects
 * this browser supported, so a reload or a reconnect neither re-joins nor forgets them.
 */
(function () {
  "use strict";

  var hub = window.SmartHub;
  var root = document.querySelector(".live-event[data-event-id]");
  if (!root) {
    return;
  }
  var documents = hub.pageDocuments(root);
  var eventId = root.dataset.eventId;
  // A personal code from the organiser's card (CODES events): /e/{code}?attendee=XXXXX-XXXXX
  var attendeeCode = new URLSearchParams(window.location.search).get("attendee");
  var storageKey = "smart-hub.attendee." + eventId;
  var attendee = loadAttendee();
  var pending = {};
  var joining = null;
  var started = hub.startEventView(root, { onRender: updateSupportControls });
  var client = started.client;
  var view = started.view;

  function loadAttendee() {
    var fresh = { token: null, supported: {}, remaining: null };
    try {
      var stored = JSON.parse(window.localStorage.getItem(storageKey) || "null");
      if (stored && typeof stored === "object") {
        return {
          token: typeof stored.token === "string" ? stored.token : null,
          supported: stored.supported && typeof stored.supported === "object" ? stored.supported : {},
          remaining: typeof stored.remaining === "number" ? stored.remaining : null,
        };
      }
    } catch (problem) {
      // Storage disabled or corrupt: this visit still works, it just is not remembered.
    }
    return fresh;
  }

  function saveAttendee() {
    try {
      window.localStorage.setItem(storageKey, JSON.stringify(attendee));
    } catch (problem) {
      // Private mode or full storage: keep going with the in-memory copy.
    }
  }

  function say(name, text) {
    hub.setText(hub.field(root, name), text);
  }

  // Mutations answer with a union: a *Success type, or an error type with message and code.
  function resultError(result, fieldName) {
    if (result.errors && result.errors.length) {
      return { message: hub.firstErrorMessage(result.errors), code: null };
    }
    var payload = result.data && result.data[fieldName];
    if (!payload) {
      return { message: "No answer from the server. Please try again.", code: null };
    }
    return /Success$/.test(payload.__typename) ? null : payload;
  }

  function join() {
    if (attendee.token) {
      return Promise.resolve(attendee.token);
    }
    if (!joining) {
      say("join-status", "Joining…");
      joining = client
        .execute(documents.JoinEvent, { code: root.dataset.joinCode, attendeeCode: attendeeCode })
        .then(function (result) {
          var problem = resultError(result, "joinEvent");
          if (problem) {
            throw new Error(problem.message);
          }
          attendee = { token: result.data.joinEvent.attendeeToken, supported: {}, remaining: null };
          saveAttendee();
          return attendee.token;
        })
        .finally(function () {
          joining = null;
        });
    }
    return joining;
  }

  function supportedCount() {
    return Object.keys(attendee.supported).length;
  }

  function remainingSupports(snapshot) {
    if (attendee.remaining !== null) {
      return attendee.remaining;
    }
    return Math.max(0, snapshot.supportsPerAttendee - supportedCount());
  }

  function updateSupportControls(snapshot) {
    if (!snapshot) {
      return;
    }
    var remaining = remainingSupports(snapshot);
    var open = snapshot.state === "LIVE";
    var rows = root.querySelectorAll("[data-project-id]");
    for (var i = 0; i < rows.length; i += 1) {
      var projectId = rows[i].dataset.projectId;
      var button = rows[i].querySelector('[data-action="support"]');
      var supported = Boolean(attendee.supported[projectId]);
      button.disabled = supported || Boolean(pending[projectId]) || !open || remaining === 0;
      button.setAttribute("aria-busy", pending[projectId] ? "true" : "false");
      button.textContent = supported ? "Supported ✓" : pending[projectId] ? "Sending…" : "Support";
    }
    if (snapshot.state === "CLOSED") {
      say("remaining", "The event is closed: thank you for taking part.");
    } else if (snapshot.state === "SCHEDULED") {
      say("remaining", "Support opens when the event starts.");
    } else if (remaining === 0) {
      say("remaining", "You have used all your supports. Thank you!");
    } else {
      say("remaining", "You can support " + remaining + " more project" + (remaining === 1 ? "." : "s."));
    }
  }

  function sendSupport(projectId, token) {
    return client.execute(documents.SupportPitch, {
      input: { eventId: eventId, projectId: projectId, attendeeToken: token },
    });
  }

  function support(row) {
    var projectId = row.dataset.projectId;
    var message = hub.field(row, "message");
    pending[projectId] = true;
    hub.setText(message, "");
    updateSupportControls(view.snapshot);
    join()
      .then(function (token) {
        return sendSupport(projectId, token).then(function (result) {
          var problem = resultError(result, "supportPitch");
          if (problem && problem.code === "NOT_AN_ATTENDEE") {
            // The stored token is no longer valid (e.g. the event was recreated): join again.
            attendee = { token: null, supported: {}, remaining: null };
            return join().then(function (newToken) {
              return sendSupport(projectId, newToken);
            });
          }
          return result;
        });
      })
      .then(function (result) {
        var problem = resultError(result, "supportPitch");
        if (!problem) {
          attendee.supported[projectId] = true;
          attendee.remaining = result.data.supportPitch.remainingSupports;
          hub.setText(message, "Thank you! Your support is counted.");
        } else {
          if (problem.code === "ALREADY_VOTED") {
            attendee.supported[projectId] = true;
          } else if (problem.code === "SUPPORT_LIMIT_REACHED") {
            attendee.remaining = 0;
          }
          hub.setText(message, problem.message);
        }
        saveAttendee();
      })
      .catch(function (problem) {
        hub.setText(message, problem.message || "Something went wrong. Please try again.");
      })
      .finally(function () {
        delete pending[projectId];
        updateSupportControls(view.snapshot);
      });
  }

  root.addEventListener("click", function (event) {
    var button = event.target.closest('[data-action="support"]');
    var row = button && button.closest("[data-project-id]");
    if (row && !button.disabled) {
      support(row);
    }
  });

  join()
    .then(function () {
      say("join-status", "You have joined as a guest.");
    })
    .catch(function (problem) {
      say("join-status", "Could not join: " + problem.message);
    });
})();
