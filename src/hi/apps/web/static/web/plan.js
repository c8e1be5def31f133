/* hi: live state on a floor plan. Things are coloured by what their state means (alarm, activity,
   light); activity fades over the plan's fade time. The hidden live badges (updated by the page's SSE
   stream through htmx) carry new values; app.js announces each with a "hi:state" event. In kiosk mode the
   page dims after idle and wakes on a touch or on an alert. */
(function () {
  "use strict";
  var stage = document.querySelector(".plan-stage");
  if (!stage) { return; }
  var fadeMs = (parseFloat(stage.dataset.fadeSeconds) || 300) * 1000;
  var things = Array.prototype.slice.call(stage.querySelectorAll(".plan-thing[data-state-id]"));
  var ACTIVE = {alarm: ["detected"], activity: ["active", "open", "on"], light: ["on"]};

  function currentValue(stateId) {
    var badge = document.querySelector('.plan-live-states #state-' + stateId + ' [data-value]');
    return badge ? badge.getAttribute("data-value") : null;
  }

  function paint(el, now) {
    var meaning = el.dataset.meaning, value = (el.dataset.value || "").toLowerCase();
    var active = (ACTIVE[meaning] || []).indexOf(value) >= 0;
    var fade = 0;
    el.classList.remove("is-active", "is-recent", "is-on");
    if (meaning === "light") {
      var level = parseFloat(el.dataset.level);
      var on = active || (!isNaN(parseFloat(value)) && parseFloat(value) > 0);
      if (on) {
        el.classList.add("is-on");
        el.style.setProperty("--level", isNaN(level) ? 1 : 0.35 + 0.65 * Math.min(level, 100) / 100);
      }
      return false;
    }
    if (active) { el.classList.add("is-active"); return false; }
    if (meaning === "activity" || meaning === "alarm") {
      var age = now - (parseFloat(el.dataset.updated) || 0) * 1000;
      if (age >= 0 && age < fadeMs) {
        fade = 1 - age / fadeMs;
        el.classList.add("is-recent");
        el.style.setProperty("--fade", fade.toFixed(3));
        return true;
      }
    }
    return false;
  }

  function paintAll() {
    var now = Date.now();
    things.forEach(function (el) { paint(el, now); });
  }

  document.body.addEventListener("hi:state", function (evt) {
    var id = evt.detail && evt.detail.stateId;
    if (!id) { return; }
    var value = currentValue(id), now = Date.now(), alert = false;
    things.forEach(function (el) {
      if (el.dataset.stateId === id && value !== null) {
        el.dataset.value = value;
        el.dataset.updated = String(now / 1000);
        paint(el, now);
        alert = alert || el.classList.contains("is-active") && el.dataset.meaning !== "light";
      }
      if (el.dataset.levelStateId === id && value !== null) { el.dataset.level = value; paint(el, now); }
    });
    if (alert) { wake(); }
  });
  /* The stream said it missed changes: read the page again rather than show stale colours. */
  document.body.addEventListener("hi:resync", function () { window.location.reload(); });
  setInterval(paintAll, 1000);
  paintAll();

  /* -- tapping a thing opens its panel ------------------------------------------------------------- */
  var panelEl = document.getElementById("plan-panel");
  function openPanel(entityId) {
    if (!panelEl || !window.htmx || !window.bootstrap) { return; }
    var base = stage.dataset.panelUrl;  /* the panel URL of entity 0: swap in the real id */
    var url = base.slice(0, base.lastIndexOf("0")) + entityId;
    window.htmx.ajax("GET", url, {target: "#plan-panel-body", swap: "innerHTML"}).then(function () {
      var name = panelEl.querySelector(".panel-name");
      document.getElementById("plan-panel-title").textContent = name ? name.textContent : "";
    });
    window.bootstrap.Offcanvas.getOrCreateInstance(panelEl).show();
  }
  stage.addEventListener("click", function (evt) {
    var el = evt.target.closest(".plan-thing");
    if (el) { openPanel(el.dataset.entityId); }
  });
  stage.addEventListener("keydown", function (evt) {
    var el = evt.target.closest && evt.target.closest("polygon.plan-thing");
    if (el && (evt.key === "Enter" || evt.key === " ")) { evt.preventDefault(); openPanel(el.dataset.entityId); }
  });

  /* -- kiosk: dim after idle, wake on touch or alert; full screen on the first touch ---------------- */
  var idleSeconds = parseFloat(document.body.dataset.idleSeconds || "0");
  var idleTimer = null;
  function wake() {
    if (!idleSeconds) { return; }
    document.body.classList.remove("is-dimmed");
    clearTimeout(idleTimer);
    idleTimer = setTimeout(function () { document.body.classList.add("is-dimmed"); }, idleSeconds * 1000);
  }
  if (idleSeconds) {
    ["pointerdown", "keydown", "touchstart"].forEach(function (name) {
      document.addEventListener(name, wake, {passive: true});
    });
    document.addEventListener("pointerdown", function () {
      if (!document.fullscreenElement && document.documentElement.requestFullscreen) {
        document.documentElement.requestFullscreen().catch(function () { /* not allowed: stay windowed */ });
      }
    }, {once: true});
    wake();
  }
})();
