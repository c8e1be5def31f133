/* hi: the floor-plan editor. Placements live in one array; the stage is redrawn from it after each change,
   and "Save placements" sends the whole array (the server replaces all or nothing). */
(function () {
  "use strict";
  var stage = document.getElementById("editor");
  if (!stage) { return; }
  var W = parseFloat(stage.dataset.width), H = parseFloat(stage.dataset.height);
  var overlay = stage.querySelector(".plan-overlay");
  var statusEl = document.getElementById("editor-status");
  var palette = document.getElementById("palette");
  var placements = JSON.parse(document.getElementById("placements-data").textContent || "[]");
  var names = {}, icons = {};
  palette.querySelectorAll("[data-entity-id]").forEach(function (li) {
    names[li.dataset.entityId] = li.dataset.name; icons[li.dataset.entityId] = li.dataset.icon;
  });
  var selected = null;      /* entity id (string) of the selected placement */
  var drawing = null;       /* {entity_id, points} while an area is being drawn */
  var SVGNS = "http://www.w3.org/2000/svg";
  var defaultSize = Math.max(W, H) * 0.04;

  function say(text, ok) {
    statusEl.textContent = text;
    statusEl.className = "small ms-2 " + (ok === false ? "text-danger" : "text-success");
  }
  function find(id) { return placements.find(function (p) { return String(p.entity_id) === String(id); }); }
  function clamp(v, hi) { return Math.min(Math.max(v, 0), hi); }
  function toPlan(evt) {
    var r = stage.getBoundingClientRect();
    return [clamp((evt.clientX - r.left) / r.width * W, W), clamp((evt.clientY - r.top) / r.height * H, H)];
  }
  function centroid(points) {
    var x = 0, y = 0;
    points.forEach(function (p) { x += p[0]; y += p[1]; });
    return [x / points.length, y / points.length];
  }

  function render() {
    stage.querySelectorAll(".plan-icon").forEach(function (el) { el.remove(); });
    while (overlay.firstChild) { overlay.removeChild(overlay.firstChild); }
    placements.forEach(function (p) {
      var id = String(p.entity_id), label = names[id] || ("#" + id);
      if (p.shape === "area") {
        var poly = document.createElementNS(SVGNS, "polygon");
        poly.setAttribute("points", p.points.map(function (pt) { return pt[0] + "," + pt[1]; }).join(" "));
        poly.setAttribute("class", "plan-thing plan-area editing" + (id === selected ? " selected" : ""));
        poly.setAttribute("tabindex", "0");
        poly.setAttribute("role", "button");
        poly.setAttribute("aria-label", label + " (area)");
        poly.dataset.entityId = id;
        overlay.appendChild(poly);
      } else {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "plan-thing plan-icon editing" + (id === selected ? " selected" : "");
        b.dataset.entityId = id;
        b.setAttribute("aria-label", label + " (icon)");
        b.title = label;
        b.style.left = (100 * p.x / W) + "%";
        b.style.top = (100 * p.y / H) + "%";
        b.style.width = (100 * (p.size || defaultSize) / W) + "%";
        b.style.setProperty("--rotation", (p.rotation || 0) + "deg");
        b.innerHTML = '<i class="bi bi-' + (icons[id] || "question-circle") + '"></i>';
        stage.appendChild(b);
      }
    });
    renderHandles();
    if (drawing && drawing.points.length) {
      var line = document.createElementNS(SVGNS, "polyline");
      line.setAttribute("points", drawing.points.map(function (pt) { return pt[0] + "," + pt[1]; }).join(" "));
      line.setAttribute("class", "plan-drawing");
      overlay.appendChild(line);
    }
  }

  /* Handles on the selected thing: for an icon a corner to resize and a knob to rotate, for an area one
     per corner to reshape it. They are placed in plan units like the things themselves. */
  function handle(kind, at, label, index) {
    var h = document.createElement("div");
    h.className = "plan-handle plan-handle-" + kind;
    h.dataset.handle = kind;
    if (index !== undefined) { h.dataset.index = String(index); }
    h.title = label;
    h.style.left = (100 * clamp(at[0], W) / W) + "%";
    h.style.top = (100 * clamp(at[1], H) / H) + "%";
    stage.appendChild(h);
  }
  function rotated(p, dx, dy) {
    var a = (p.rotation || 0) * Math.PI / 180;
    return [p.x + dx * Math.cos(a) - dy * Math.sin(a), p.y + dx * Math.sin(a) + dy * Math.cos(a)];
  }
  function iconHalf(p) {
    /* the drawn icon is never under 1.75rem, so the handles sit on what is seen, not on a smaller size */
    var r = stage.getBoundingClientRect(), minimum = r.width ? 28 * W / r.width : 0;
    return Math.max(p.size || defaultSize, minimum) / 2;
  }
  function renderHandles() {
    stage.querySelectorAll(".plan-handle").forEach(function (el) { el.remove(); });
    var p = selected && !drawing ? find(selected) : null;
    if (!p) { return; }
    if (p.shape === "area") {
      p.points.forEach(function (pt, i) { handle("vertex", pt, "Drag to move this corner", i); });
    } else {
      var half = iconHalf(p);
      handle("resize", rotated(p, half, half), "Drag to resize");
      handle("rotate", rotated(p, 0, -half * 2.2), "Drag to rotate (Shift: 15° steps)");
    }
  }
  function dragHandle(d, now, evt) {
    var p = d.p;
    if (d.mode === "vertex") {
      p.points[d.index] = now;
      var c = centroid(p.points); p.x = c[0]; p.y = c[1];
    } else if (d.mode === "resize") {
      var distance = Math.hypot(now[0] - p.x, now[1] - p.y);
      p.size = Math.min(Math.max(distance * Math.SQRT2, defaultSize / 4), Math.max(W, H) / 2);
    } else if (d.mode === "rotate") {
      var degrees = Math.atan2(now[1] - p.y, now[0] - p.x) * 180 / Math.PI + 90;
      var step = evt.shiftKey ? 15 : 1;
      p.rotation = ((Math.round(degrees / step) * step) % 360 + 360) % 360;
    }
  }

  function focusSelected() {
    if (!selected) { return; }
    var el = stage.querySelector('[data-entity-id="' + selected + '"]');
    if (el) { el.focus(); }
  }

  function place(id, shape, at) {
    placements = placements.filter(function (p) { return String(p.entity_id) !== String(id); });
    var c = at || [W / 2, H / 2], half = Math.min(W, H) * 0.06;
    var p = {entity_id: parseInt(id, 10), shape: shape, x: c[0], y: c[1], size: defaultSize, rotation: 0, points: []};
    if (shape === "area") {
      p.points = [[c[0] - half, c[1] - half], [c[0] + half, c[1] - half], [c[0] + half, c[1] + half], [c[0] - half, c[1] + half]]
        .map(function (pt) { return [clamp(pt[0], W), clamp(pt[1], H)]; });
    }
    placements.push(p);
    selected = String(id);
    render();
    focusSelected();
    say((names[id] || "Thing") + " placed; not saved yet.");
  }

  function move(p, dx, dy) {
    if (p.shape === "area") {
      p.points = p.points.map(function (pt) { return [clamp(pt[0] + dx, W), clamp(pt[1] + dy, H)]; });
      var c = centroid(p.points); p.x = c[0]; p.y = c[1];
    } else {
      p.x = clamp(p.x + dx, W); p.y = clamp(p.y + dy, H);
    }
  }

  function scale(p, factor) {
    if (p.shape === "area") {
      var c = centroid(p.points);
      p.points = p.points.map(function (pt) {
        return [clamp(c[0] + (pt[0] - c[0]) * factor, W), clamp(c[1] + (pt[1] - c[1]) * factor, H)];
      });
    } else {
      p.size = Math.min(Math.max((p.size || defaultSize) * factor, defaultSize / 4), Math.max(W, H) / 2);
    }
  }

  /* -- palette: drag and drop, and buttons for keyboards --------------------------------------- */
  palette.addEventListener("dragstart", function (evt) {
    var li = evt.target.closest("[data-entity-id]");
    if (li) { evt.dataTransfer.setData("text/plain", li.dataset.entityId); evt.dataTransfer.effectAllowed = "copy"; }
  });
  stage.addEventListener("dragover", function (evt) { evt.preventDefault(); evt.dataTransfer.dropEffect = "copy"; });
  stage.addEventListener("drop", function (evt) {
    evt.preventDefault();
    var id = evt.dataTransfer.getData("text/plain");
    if (id && names[id] !== undefined) { place(id, "icon", toPlan(evt)); }
  });
  palette.addEventListener("click", function (evt) {
    var li = evt.target.closest("[data-entity-id]");
    if (!li) { return; }
    if (evt.target.closest(".place-icon")) { place(li.dataset.entityId, "icon"); }
    if (evt.target.closest(".place-area")) {
      if (evt.detail === 0) { place(li.dataset.entityId, "area"); }  /* keyboard: a square to move and resize */
      else {
        drawing = {entity_id: li.dataset.entityId, points: []};
        stage.classList.add("is-drawing");
        say("Click the corners of " + (names[li.dataset.entityId] || "the area") + ", then Enter or double-click.");
      }
    }
  });
  document.getElementById("palette-filter").addEventListener("input", function (evt) {
    var q = evt.target.value.toLowerCase();
    palette.querySelectorAll("[data-entity-id]").forEach(function (li) {
      li.classList.toggle("d-none", q && li.dataset.name.toLowerCase().indexOf(q) < 0);
    });
  });

  function finishDrawing() {
    if (drawing && drawing.points.length >= 3) {
      var id = drawing.entity_id, pts = drawing.points;
      drawing = null;
      stage.classList.remove("is-drawing");
      place(id, "area");
      var p = find(id);
      p.points = pts; var c = centroid(pts); p.x = c[0]; p.y = c[1];
      render(); focusSelected();
    } else if (drawing) {
      say("An area needs at least three corners.", false);
    }
  }

  /* -- moving with the pointer ----------------------------------------------------------------- */
  var dragging = null;
  stage.addEventListener("pointerdown", function (evt) {
    if (drawing) { return; }
    var grip = evt.target.closest(".plan-handle");
    if (grip && selected) {
      dragging = {mode: grip.dataset.handle, index: parseInt(grip.dataset.index || "0", 10), p: find(selected), moved: false};
      stage.setPointerCapture(evt.pointerId);
      evt.preventDefault();
      return;
    }
    var el = evt.target.closest("[data-entity-id]");
    if (!el) { selected = null; render(); return; }
    selected = el.dataset.entityId;
    dragging = {mode: "move", start: toPlan(evt), p: find(selected), moved: false};
    stage.setPointerCapture(evt.pointerId);
    render(); focusSelected();
    evt.preventDefault();
  });
  stage.addEventListener("pointermove", function (evt) {
    if (!dragging || !dragging.p) { return; }
    var now = toPlan(evt);
    if (dragging.mode === "move") {
      move(dragging.p, now[0] - dragging.start[0], now[1] - dragging.start[1]);
      dragging.start = now;
    } else {
      dragHandle(dragging, now, evt);
    }
    dragging.moved = true;
    render();
  });
  stage.addEventListener("pointerup", function () {
    if (dragging && dragging.moved) {
      say({move: "Moved", resize: "Resized", rotate: "Rotated", vertex: "Reshaped"}[dragging.mode] + "; not saved yet.");
      focusSelected();
    }
    dragging = null;
  });
  stage.addEventListener("click", function (evt) {
    if (!drawing) { return; }
    drawing.points.push(toPlan(evt));
    render();
  });
  stage.addEventListener("dblclick", function (evt) { if (drawing) { evt.preventDefault(); finishDrawing(); } });

  /* The wheel over a placed thing resizes it; with Shift it rotates an icon. */
  stage.addEventListener("wheel", function (evt) {
    var el = evt.target.closest("[data-entity-id]");
    var p = el && find(el.dataset.entityId);
    if (!p) { return; }
    evt.preventDefault();
    selected = el.dataset.entityId;
    if (evt.shiftKey) { p.rotation = ((p.rotation || 0) + (evt.deltaY > 0 ? 15 : 345)) % 360; }
    else { scale(p, evt.deltaY > 0 ? 1 / 1.1 : 1.1); }
    render(); focusSelected();
  }, {passive: false});

  /* -- keyboard ---------------------------------------------------------------------------------- */
  document.addEventListener("keydown", function (evt) {
    if (drawing) {
      if (evt.key === "Enter") { evt.preventDefault(); finishDrawing(); }
      if (evt.key === "Escape") { drawing = null; stage.classList.remove("is-drawing"); render(); say("Drawing cancelled."); }
      return;
    }
    var el = evt.target.closest && evt.target.closest("#editor [data-entity-id]");
    if (!el) { return; }
    var p = find(el.dataset.entityId);
    if (!p) { return; }
    selected = el.dataset.entityId;
    var step = (evt.shiftKey ? 0.05 : 0.01) * Math.max(W, H), handled = true;
    switch (evt.key) {
      case "ArrowLeft": move(p, -step, 0); break;
      case "ArrowRight": move(p, step, 0); break;
      case "ArrowUp": move(p, 0, -step); break;
      case "ArrowDown": move(p, 0, step); break;
      case "+": case "=": scale(p, 1.15); break;
      case "-": case "_": scale(p, 1 / 1.15); break;
      case "]": p.rotation = ((p.rotation || 0) + 15) % 360; break;
      case "[": p.rotation = ((p.rotation || 0) + 345) % 360; break;
      case "Delete": case "Backspace":
        placements = placements.filter(function (q) { return q !== p; });
        selected = null;
        say((names[el.dataset.entityId] || "Thing") + " removed; not saved yet.");
        break;
      default: handled = false;
    }
    if (handled) { evt.preventDefault(); render(); focusSelected(); }
  });

  /* -- saving ------------------------------------------------------------------------------------- */
  document.getElementById("save-placements").addEventListener("click", function () {
    var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    headers["Content-Type"] = "application/json";
    var fade = parseInt(document.getElementById("fade-seconds").value, 10);
    fetch(stage.dataset.saveUrl, {method: "POST", headers: headers, credentials: "same-origin",
      body: JSON.stringify({placements: placements, fade_seconds: isNaN(fade) ? null : fade})})
      .then(function (r) { return r.json().then(function (body) { return {ok: r.ok, body: body}; }); })
      .then(function (res) {
        if (res.ok) { say("Saved " + res.body.saved + " placement" + (res.body.saved === 1 ? "" : "s") + "."); }
        else { say("Not saved: " + res.body.detail, false); }
      })
      .catch(function () { say("Not saved: the hub did not answer.", false); });
  });

  render();
})();
