/* hi: glue between the live badge stream and the controls, plus small page helpers. */
(function () {
  "use strict";

  function setLive(text, ok) {
    var el = document.querySelector("#live-indicator .live-text");
    if (el) { el.textContent = text; el.parentElement.classList.toggle("text-warning", !ok); }
  }

  /* Keep a state's control in step with its newest value, unless the person is using it. */
  function syncControls(container) {
    var stateId = container.getAttribute("data-state-id");
    var badge = container.querySelector("[data-value]");
    if (!stateId || !badge) { return; }
    var value = badge.getAttribute("data-value");
    document.querySelectorAll('[data-control-state="' + stateId + '"]').forEach(function (control) {
      if (control.matches(".control-toggle")) {
        control.querySelectorAll("button[value]").forEach(function (b) {
          var on = b.value === value;
          b.classList.toggle("active", on);
          b.classList.toggle("btn-primary", on);
          b.classList.toggle("btn-outline-secondary", !on);
          b.setAttribute("aria-pressed", on ? "true" : "false");
        });
      } else if (document.activeElement !== control && value !== "") {
        control.value = value;
        var out = document.querySelector('[data-output-for="' + control.id + '"]');
        if (out) { out.textContent = value; }
      }
    });
  }

  document.addEventListener("htmx:sseOpen", function () { setLive("live", true); });
  document.addEventListener("htmx:sseError", function () { setLive("reconnecting…", false); });
  /* The stream dropped changes for us (we were too slow): let the page re-read current values. */
  document.addEventListener("htmx:sseMessage", function (evt) {
    if (evt.detail && evt.detail.type === "resync") {
      document.body.dispatchEvent(new CustomEvent("hi:resync"));
    }
  });
  document.addEventListener("htmx:afterSettle", function (evt) {
    var target = evt.detail && evt.detail.elt;
    if (target && target.classList && target.classList.contains("live-state")) {
      target.classList.remove("live-flash");
      void target.offsetWidth;
      target.classList.add("live-flash");
      syncControls(target);
      document.body.dispatchEvent(new CustomEvent("hi:state", { detail: { stateId: target.getAttribute("data-state-id") } }));
    }
  });
  document.addEventListener("input", function (evt) {
    var out = document.querySelector('[data-output-for="' + evt.target.id + '"]');
    if (out) { out.textContent = evt.target.value; }
  });
})();
