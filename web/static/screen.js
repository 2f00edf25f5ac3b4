/* The big screen in the hall: the same live view as phones, without support buttons. */
(function () {
  "use strict";

  var root = document.querySelector(".live-event[data-event-id]");
  if (root) {
    window.SmartHub.startEventView(root);
  }
})();
