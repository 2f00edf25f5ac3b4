/*
 * Moving the map: mouse drag, one-finger drag, two-finger pinch, the wheel, double-click or
 * double-tap, and the keyboard (arrows pan, + and - zoom) when the map has focus.
 *
 * window.SmartHub.attachMapGestures(svg, canvas, onChange): calls onChange() after the view
 * moved (the canvas is already redrawn); the page decides when to fetch.
 */
(function () {
  "use strict";

  var DRAG_THRESHOLD_PX = 5; // below this a press is a tap or a click, not a drag
  var PINCH_STEP = 1.6; // fingers this much further apart (or closer) = one zoom step
  var WHEEL_STEP = 60; // wheel pixels per zoom step
  var WHEEL_PAUSE_MS = 180; // at most one wheel step per pause, however fast the wheel spins
  var KEY_PAN_PX = 96;

  function attachMapGestures(svg, canvas, onChange) {
    var pointers = {}; // pointerId -> {x, y}
    var drag = null; // {x, y, moved}
    var pinch = null; // {distance}
    var suppressClick = false;
    var wheel = { total: 0, last: 0 };

    function local(event) {
      var box = svg.getBoundingClientRect();
      return { x: event.clientX - box.left, y: event.clientY - box.top };
    }

    function changed() {
      canvas.draw();
      onChange();
    }

    function fingers() {
      return Object.keys(pointers).map(function (id) {
        return pointers[id];
      });
    }

    function pinchState() {
      var both = fingers();
      var dx = both[0].x - both[1].x;
      var dy = both[0].y - both[1].y;
      return {
        distance: Math.max(1, Math.sqrt(dx * dx + dy * dy)),
        x: (both[0].x + both[1].x) / 2,
        y: (both[0].y + both[1].y) / 2,
      };
    }

    svg.addEventListener("pointerdown", function (event) {
      if (event.pointerType === "mouse" && event.button !== 0) {
        return;
      }
      pointers[event.pointerId] = local(event);
      if (fingers().length === 2) {
        pinch = { distance: pinchState().distance };
        drag = null;
      } else if (fingers().length === 1) {
        drag = { x: pointers[event.pointerId].x, y: pointers[event.pointerId].y, moved: false };
      }
    });

    svg.addEventListener("pointermove", function (event) {
      if (!pointers[event.pointerId]) {
        return;
      }
      var at = local(event);
      pointers[event.pointerId] = at;
      if (pinch && fingers().length === 2) {
        var state = pinchState();
        var ratio = state.distance / pinch.distance;
        if (ratio >= PINCH_STEP || ratio <= 1 / PINCH_STEP) {
          canvas.zoomAround(state.x, state.y, ratio > 1 ? 1 : -1);
          pinch.distance = state.distance;
          changed();
        }
        return;
      }
      if (!drag) {
        return;
      }
      var dx = at.x - drag.x;
      var dy = at.y - drag.y;
      if (!drag.moved && Math.abs(dx) + Math.abs(dy) < DRAG_THRESHOLD_PX) {
        return;
      }
      if (!drag.moved) {
        drag.moved = true;
        svg.setPointerCapture(event.pointerId); // keep dragging outside the map
        svg.classList.add("dragging");
      }
      drag.x = at.x;
      drag.y = at.y;
      canvas.panBy(dx, dy);
      canvas.draw();
    });

    function release(event) {
      if (!pointers[event.pointerId]) {
        return;
      }
      delete pointers[event.pointerId];
      if (drag && drag.moved) {
        suppressClick = true;
        window.setTimeout(function () {
          suppressClick = false;
        }, 0);
        svg.classList.remove("dragging");
        onChange();
      }
      drag = null;
      if (fingers().length < 2) {
        pinch = null;
      }
    }
    svg.addEventListener("pointerup", release);
    svg.addEventListener("pointercancel", release);

    // A drag that ends over a marker must not open it.
    svg.addEventListener(
      "click",
      function (event) {
        if (suppressClick) {
          event.stopPropagation();
          event.preventDefault();
        }
      },
      true
    );

    svg.addEventListener("dblclick", function (event) {
      if (event.target.closest("[role=button]")) {
        return; // a cluster or marker already acted on the first click
      }
      var at = local(event);
      if (canvas.zoomAround(at.x, at.y, event.shiftKey ? -1 : 1)) {
        changed();
      }
    });

    svg.addEventListener(
      "wheel",
      function (event) {
        event.preventDefault();
        var lines = event.deltaMode === 1 ? 20 : event.deltaMode === 2 ? 400 : 1;
        wheel.total += event.deltaY * lines;
        var now = Date.now();
        if (Math.abs(wheel.total) < WHEEL_STEP || now - wheel.last < WHEEL_PAUSE_MS) {
          return;
        }
        var at = local(event);
        var steps = wheel.total < 0 ? 1 : -1;
        wheel.total = 0;
        wheel.last = now;
        if (canvas.zoomAround(at.x, at.y, steps)) {
          changed();
        }
      },
      { passive: false }
    );

    svg.addEventListener("keydown", function (event) {
      var moves = {
        ArrowLeft: [KEY_PAN_PX, 0],
        ArrowRight: [-KEY_PAN_PX, 0],
        ArrowUp: [0, KEY_PAN_PX],
        ArrowDown: [0, -KEY_PAN_PX],
      };
      if (moves[event.key]) {
        canvas.panBy(moves[event.key][0], moves[event.key][1]);
      } else if (event.key === "+" || event.key === "=") {
        canvas.zoomAround(canvas.width / 2, canvas.height / 2, 1);
      } else if (event.key === "-" || event.key === "_") {
        canvas.zoomAround(canvas.width / 2, canvas.height / 2, -1);
      } else {
        return;
      }
      event.preventDefault();
      changed();
    });
  }

  window.SmartHub = window.SmartHub || {};
  window.SmartHub.attachMapGestures = attachMapGestures;
})();
