/* hi alarms: the live alert banner's sound (muted per browser, remembered), the header's open-alert count
   and its mode switch. */
(function () {
  "use strict";
  var MUTE_KEY = "hi.alarm.muted";

  function muted() {
    try { return window.localStorage.getItem(MUTE_KEY) === "1"; } catch (e) { return false; }
  }

  function showMute() {
    var button = document.getElementById("alarm-mute");
    if (!button) { return; }
    var off = muted();
    button.setAttribute("aria-pressed", off ? "true" : "false");
    button.title = off ? "Alert sounds are off in this browser" : "Alert sounds are on in this browser";
    var icon = button.querySelector("i");
    if (icon) { icon.className = off ? "bi bi-volume-mute" : "bi bi-volume-up"; }
  }

  function play(level) {
    var button = document.getElementById("alarm-mute");
    document.body.setAttribute("data-last-alarm-sound", level + (muted() ? ":muted" : ""));
    if (!button || muted()) { return; }
    var src = button.getAttribute("data-sound-" + level) || button.getAttribute("data-sound-info");
    try {
      var audio = new Audio(src);
      var started = audio.play();
      if (started && started.catch) { started.catch(function () { /* the browser wants a click first */ }); }
    } catch (e) { /* no audio in this browser */ }
  }

  function showMode(data) {
    var form = document.getElementById("mode-switch");
    if (!form || !data || !data.mode) { return; }
    form.setAttribute("data-mode", data.mode);
    form.querySelectorAll("button[name=mode]").forEach(function (b) {
      var on = b.value === data.mode;
      b.classList.toggle("active", on);
      b.classList.toggle("btn-warning", on);
      b.classList.toggle("btn-outline-light", !on);
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
    var snooze = document.getElementById("snooze-badge");
    if (snooze) { snooze.classList.toggle("d-none", !data.snooze_until); }
  }

  function showCount(total) {
    var badge = document.getElementById("alert-count");
    if (!badge) { return; }
    badge.textContent = String(total);
    badge.classList.toggle("d-none", total === 0);
  }

  document.addEventListener("click", function (evt) {
    if (evt.target.closest && evt.target.closest("#alarm-mute")) {
      try { window.localStorage.setItem(MUTE_KEY, muted() ? "0" : "1"); } catch (e) { /* private mode */ }
      showMute();
    }
  });
  document.addEventListener("htmx:sseMessage", function (evt) {
    var msg = evt.detail;
    if (!msg || !msg.type) { return; }
    if (msg.type === "alarm-sound") {
      play(String(msg.data || "info").trim());
    } else if (msg.type === "alarm-count") {
      showCount(parseInt(String(msg.data || "0").trim(), 10) || 0);
    } else if (msg.type === "alarm-mode") {
      try { showMode(JSON.parse(msg.data)); } catch (e) { /* ignore a malformed message */ }
    }
  });
  document.addEventListener("DOMContentLoaded", showMute);
})();
