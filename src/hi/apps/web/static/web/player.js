// Recorded events: speed for the video element; play/pause, seek, speed and save for frame-by-frame replay.
// Frames are fetched one at a time (the next only after the previous one loaded), so a slow link
// slows the replay down instead of piling up requests.
(function () {
  "use strict";

  function setupVideo(player) {
    var video = player.querySelector("video");
    var speed = player.querySelector(".player-speed");
    if (video && speed) {
      speed.addEventListener("change", function () { video.playbackRate = parseFloat(speed.value) || 1; });
    }
  }

  function setupFrames(player) {
    var template = player.getAttribute("data-template");
    var count = parseInt(player.getAttribute("data-frames"), 10) || 1;
    var fps = parseFloat(player.getAttribute("data-fps")) || 1;
    var img = player.querySelector(".player-frame");
    var toggle = player.querySelector(".player-toggle");
    var seek = player.querySelector(".player-seek");
    var position = player.querySelector(".player-position");
    var speed = player.querySelector(".player-speed");
    var download = player.querySelector(".player-download");
    var frame = 1;
    var playing = false;
    var timer = null;

    function urlOf(n) { return template.replace("{frame}", String(n)); }

    function show(n) {
      frame = Math.max(1, Math.min(count, n));
      img.src = urlOf(frame);
      seek.value = String(frame);
      position.textContent = frame + " / " + count;
      download.href = urlOf(frame);
      player.setAttribute("data-frame", String(frame));
    }

    function setPlaying(on) {
      playing = on;
      toggle.innerHTML = on ? '<i class="bi bi-pause-fill"></i> Pause' : '<i class="bi bi-play-fill"></i> Play';
      toggle.setAttribute("aria-label", on ? "Pause" : "Play");
      if (timer) { clearTimeout(timer); timer = null; }
      if (on) { step(); }
    }

    function step() {
      if (!playing) { return; }
      if (frame >= count) { setPlaying(false); return; }
      var started = Date.now();
      img.onload = img.onerror = function () {
        img.onload = img.onerror = null;
        var wait = 1000 / (fps * (parseFloat(speed.value) || 1)) - (Date.now() - started);
        timer = setTimeout(step, Math.max(0, wait));
      };
      show(frame + 1);
    }

    toggle.addEventListener("click", function () {
      if (!playing && frame >= count) { show(1); }
      setPlaying(!playing);
    });
    seek.addEventListener("input", function () { show(parseInt(seek.value, 10) || 1); });
    document.addEventListener("visibilitychange", function () { if (document.hidden && playing) { setPlaying(false); } });
    show(1);
  }

  function setup() {
    document.querySelectorAll(".event-player").forEach(function (player) {
      var kind = player.getAttribute("data-player");
      if (kind === "video") { setupVideo(player); }
      if (kind === "frames") { setupFrames(player); }
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setup); } else { setup(); }
})();
