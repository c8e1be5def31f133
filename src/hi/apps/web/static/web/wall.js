// The camera wall: live tiles while the stream caps have room, refreshed snapshots for the rest (with a
// note saying why), full screen on tap. Every live stream is dropped while the tab is hidden or the page
// goes away, so no upstream connection outlives the viewer; they come back when the tab is shown again, or when
// the browser shows the page again from its back/forward cache.
(function () {
  "use strict";
  var wall = document.getElementById("camera-wall");
  if (!wall) { return; }
  var tiles = Array.prototype.slice.call(wall.querySelectorAll(".wall-tile"));
  var statusUrl = wall.getAttribute("data-status-url");
  var every = (parseInt(wall.getAttribute("data-snapshot-seconds"), 10) || 5) * 1000;
  var BLANK = "data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw==";
  // A browser opens at most 6 HTTP/1.1 connections to one host and a live picture holds one for as long
  // as it plays; the page's live updates hold another. More than 4 live tiles would leave snapshots,
  // clicks and even leaving the page queued behind the streams.
  var PAGE_LIVE_MAX = 4;

  function parts(tile) {
    return { img: tile.querySelector(".wall-frame"), mode: tile.querySelector(".wall-mode"),
             note: tile.querySelector(".wall-note") };
  }

  function setNote(tile, text) {
    var p = parts(tile);
    p.note.textContent = text || "";
    p.note.hidden = !text;
  }

  function stopTile(tile) {
    var p = parts(tile);
    if (tile._timer) { clearInterval(tile._timer); tile._timer = null; }
    p.img.onerror = null;
    p.img.src = BLANK;  // ends the MJPEG request: the proxy then closes its upstream connection
    tile.removeAttribute("data-live");
  }

  function snapshots(tile, why) {
    var p = parts(tile);
    var url = tile.getAttribute("data-snapshot");
    stopTile(tile);
    tile.setAttribute("data-mode", "snapshot");
    p.mode.textContent = "snapshot";
    p.mode.hidden = false;
    setNote(tile, why ? why + " — a snapshot every " + every / 1000 + " s." : "");
    if (!url) { setNote(tile, "No picture for this camera."); return; }
    var load = function () { p.img.src = url + (url.indexOf("?") < 0 ? "?" : "&") + "t=" + Date.now(); };
    p.img.onerror = null;
    load();
    tile._timer = setInterval(load, every);
  }

  function live(tile) {
    var p = parts(tile);
    var url = tile.getAttribute("data-stream");
    if (!url) { snapshots(tile, ""); return; }
    stopTile(tile);
    tile.setAttribute("data-mode", "live");
    tile.setAttribute("data-live", "1");
    p.mode.textContent = "live";
    p.mode.hidden = false;
    setNote(tile, "");
    p.img.onerror = function () {
      // refused (over a cap) or the camera is down: ask which, then fall back to snapshots
      fetch(statusUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (s) {
        snapshots(tile, s.in_use >= s.total ? "Live limit reached (" + s.total + " streams)" : "Live view unavailable");
      }).catch(function () { snapshots(tile, "Live view unavailable"); });
    };
    // a URL of its own each time: the browser must not attach the tile to an earlier, cancelled load of the same
    // stream (one kept while the page sat in the back/forward cache), which never delivers another frame
    p.img.src = url + (url.indexOf("?") < 0 ? "?" : "&") + "s=" + Date.now();
  }

  function start() {
    fetch(statusUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (s) {
      var byHub = Math.max(0, s.total - s.in_use), free = Math.min(PAGE_LIVE_MAX, byHub);
      var why = byHub <= PAGE_LIVE_MAX ? "Live limit reached (" + s.total + " streams)"
        : "Live on " + PAGE_LIVE_MAX + " tiles at a time (tap one for full screen)";
      tiles.forEach(function (tile) {
        if (free > 0 && tile.getAttribute("data-stream")) { free -= 1; live(tile); }
        else { snapshots(tile, tile.getAttribute("data-stream") ? why : ""); }
      });
    }).catch(function () { tiles.forEach(function (tile) { snapshots(tile, "Live view unavailable"); }); });
  }

  function stopAll() { tiles.forEach(stopTile); wall.setAttribute("data-stopped", "1"); }

  tiles.forEach(function (tile) {
    tile.querySelector(".wall-picture").addEventListener("click", function () {
      var target = tile.querySelector(".wall-picture");
      if (document.fullscreenElement) { document.exitFullscreen(); }
      else if (target.requestFullscreen) { target.requestFullscreen().catch(function () {}); }
    });
  });
  // Once per stop: Chromium tells a page restored from its back/forward cache both "visible again" and "shown",
  // and a second start would count the first one's streams as taken by someone else (and replace them).
  function resume() {
    if (!wall.hasAttribute("data-stopped")) { return; }
    wall.removeAttribute("data-stopped");
    start();
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) { stopAll(); } else { resume(); }
  });
  window.addEventListener("pagehide", stopAll);
  // Back (or forward) to a wall kept in the browser's back/forward cache: no new page load runs this script, and
  // every stream was stopped on the way out, so start the tiles again — also in a browser that restores a page
  // without a visibilitychange.
  window.addEventListener("pageshow", function (evt) {
    if (evt.persisted) { resume(); }
  });
  start();
})();
