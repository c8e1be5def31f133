/* hi: glue between the live stream and the page — badges, controls, availability, the hub banner,
   remembered home-page groups. */
(function () {
  "use strict";

  var CONTROL_SELECTOR = ".control-form fieldset, .card-control button, .card-control input";
  var hubDown = false;
  var leaving = false;

  function setLive(text, ok) {
    var el = document.querySelector("#live-indicator .live-text");
    if (el) { el.textContent = text; el.parentElement.classList.toggle("text-warning", !ok); }
  }

  /* A control is disabled while any reason holds: the hub is unreachable, or its integration is not available. */
  function refreshDisabled(control) {
    var reason = (hubDown ? "The hub is not answering" : "") || control.getAttribute("data-integration-reason") ||
      control.getAttribute("data-disabled-reason") || "";
    control.disabled = reason !== "";
    if (reason) { control.title = reason; } else if (control.title) { control.removeAttribute("title"); }
  }

  function refreshAllControls(root) {
    (root || document).querySelectorAll(CONTROL_SELECTOR).forEach(refreshDisabled);
  }

  /* Keep a state's control in step with its newest value, unless the person is using it. */
  function syncControls(container) {
    var stateId = container.getAttribute("data-state-id");
    var badge = container.querySelector("[data-value]");
    if (!stateId || !badge) { return; }
    var value = badge.getAttribute("data-value");
    document.querySelectorAll('[data-control-state="' + stateId + '"]').forEach(function (control) {
      if (control.matches(".control-toggle, .control-choices")) {
        control.querySelectorAll("button[value]").forEach(function (b) {
          var on = b.value === value;
          b.classList.toggle("active", on);
          b.classList.toggle("btn-primary", on);
          b.classList.toggle("btn-outline-secondary", !on);
          b.setAttribute("aria-pressed", on ? "true" : "false");
        });
      } else if (control.matches(".control-stepper")) {
        var current = parseFloat(value), step = parseFloat(control.getAttribute("data-step")) || 0.5;
        if (isNaN(current)) { return; }
        var low = parseFloat(control.getAttribute("data-min")), high = parseFloat(control.getAttribute("data-max"));
        var buttons = control.querySelectorAll("button[value]");
        var bound = function (v) { if (!isNaN(low)) { v = Math.max(low, v); } if (!isNaN(high)) { v = Math.min(high, v); } return String(parseFloat(v.toFixed(6))); };
        if (buttons.length === 2) { buttons[0].value = bound(current - step); buttons[1].value = bound(current + step); }
      } else if (document.activeElement !== control && value !== "") {
        control.value = value;
        var out = document.querySelector('[data-output-for="' + control.id + '"]');
        if (out) { out.textContent = value; }
      }
    });
  }

  /* The state was confirmed again: a failed attempt's message has had its say. (Not called when a refusal
     snaps a control back, or the refusal's own message would vanish as it appears.) */
  function clearFailures(stateId) {
    document.querySelectorAll('[data-status-state="' + stateId + '"] [data-outcome="failed"]').forEach(function (el) {
      el.remove();
    });
  }

  /* The newest availability of each integration the stream reported: re-applied to an entity that comes back. */
  var lastAvailability = {};

  /* Health pushed over the stream: grey out what an integration provides, say why, disable its controls. */
  function applyAvailability(items) {
    items.forEach(function (item) {
      lastAvailability[item.integration_id] = item;
      var reason = item.unavailable_reason || "";
      document.querySelectorAll('[data-integration="' + item.integration_id + '"]').forEach(function (el) {
        el.classList.toggle("is-unavailable", !item.available);
        el.classList.toggle("is-stale", item.available && item.stale);
        var note = el.querySelector(".availability-note");
        if (note) {
          note.hidden = item.available && !item.stale;
          note.textContent = reason ? reason.charAt(0).toUpperCase() + reason.slice(1) : "";
        }
        el.querySelectorAll(CONTROL_SELECTOR).forEach(function (control) {
          if (item.available) { control.removeAttribute("data-integration-reason"); }
          else { control.setAttribute("data-integration-reason", reason); }
          refreshDisabled(control);
        });
      });
      document.querySelectorAll('[data-health-badge="' + item.integration_id + '"]').forEach(function (badge) {
        badge.textContent = item.badge.text;
        badge.className = badge.className.replace(/\btext-bg-\S+/g, "").trim() + " text-bg-" + item.badge.tone;
      });
      document.querySelectorAll('[data-health-message="' + item.integration_id + '"]').forEach(function (el) {
        el.textContent = item.message || "";
      });
    });
  }

  function each(root, selector) { return Array.prototype.slice.call(root.querySelectorAll(selector)); }
  function setOrRemove(el, name, value) {
    if (value === null) { el.removeAttribute(name); } else { el.setAttribute(name, value); }
  }

  /* How an entity's view looked before this page greyed it (kept on the element), so a reconnect can restore it. */
  function remember(view) {
    if (view.hiBeforeDetach) { return; }  /* greyed already (detached, then removed): keep the first picture */
    view.hiBeforeDetach = {
      unavailable: view.classList.contains("is-unavailable"), stale: view.classList.contains("is-stale"),
      marked: [view].concat(each(view, "[data-integration]")).filter(function (el) {
        return el.hasAttribute("data-integration");
      }).map(function (el) { return { el: el, integration: el.getAttribute("data-integration") }; }),
      notes: each(view, ".availability-note").map(function (note) {
        return { el: note, hidden: note.hidden, html: note.innerHTML };
      }),
      controls: each(view, CONTROL_SELECTOR).map(function (control) {
        return { el: control, integration: control.getAttribute("data-integration-reason"),
                 own: control.getAttribute("data-disabled-reason") };
      })
    };
  }

  function greyEntity(view, reason) {
    remember(view);
    view.classList.add("is-unavailable");
    view.removeAttribute("data-integration");
    view.querySelectorAll("[data-integration]").forEach(function (el) { el.removeAttribute("data-integration"); });
    view.querySelectorAll(".availability-note").forEach(function (note) { note.hidden = false; note.textContent = reason; });
    view.querySelectorAll(CONTROL_SELECTOR).forEach(function (control) {
      control.removeAttribute("data-integration-reason");
      control.setAttribute("data-disabled-reason", reason);
      refreshDisabled(control);
    });
  }

  /* Undo greyEntity: the view, its notes and controls as they were, its integration marks back; then the
     integration's newest availability (it may have changed meanwhile, unseen by the unmarked view). Returns the
     integrations it belongs to. A view the server rendered detached was not greyed here and is left alone. */
  function restoreEntity(view) {
    var before = view.hiBeforeDetach;
    if (!before) { return []; }
    delete view.hiBeforeDetach;
    view.classList.toggle("is-unavailable", before.unavailable);
    view.classList.toggle("is-stale", before.stale);
    before.marked.forEach(function (m) { m.el.setAttribute("data-integration", m.integration); });
    before.notes.forEach(function (n) { n.el.innerHTML = n.html; n.el.hidden = n.hidden; });
    before.controls.forEach(function (c) {
      setOrRemove(c.el, "data-integration-reason", c.integration);
      setOrRemove(c.el, "data-disabled-reason", c.own);
      refreshDisabled(c.el);
    });
    return before.marked.map(function (m) { return m.integration; });
  }

  /* An entity was detached, reconnected or removed (the stream's "entity" event): what shows it is out of date.
     Detached or removed: its views go grey with the reason and its controls off at once (no later health event may
     lift that: the integration no longer vouches for it). Reconnected: every view this page greyed comes back,
     and follows its integration's health again. Then "hi:entities" lets a page re-read them (the home page's cards). */
  var ENTITY_VIEWS = ".entity-card, .entity-panel, .plan-thing, .entity-page";
  function applyEntityChanges(items) {
    var shown = items.filter(function (item) {
      return document.querySelector('[data-entity-id="' + item.entity_id + '"]');
    });
    var back = {};
    shown.forEach(function (item) {
      var reason = item.change === "removed" ? "It was removed" : "Detached: its integration no longer reports it";
      document.querySelectorAll('[data-entity-id="' + item.entity_id + '"]').forEach(function (view) {
        if (!view.matches(ENTITY_VIEWS)) { return; }
        if (item.change === "reconnected") {
          restoreEntity(view).forEach(function (id) { back[id] = true; });
        } else {
          greyEntity(view, reason);
        }
      });
    });
    var again = Object.keys(back).map(function (id) { return lastAvailability[id]; }).filter(Boolean);
    if (again.length) { applyAvailability(again); }
    if (shown.length) { document.body.dispatchEvent(new CustomEvent("hi:entities", { detail: { entities: shown } })); }
  }

  function setHubDown(down) {
    if (down === hubDown) { return; }
    hubDown = down;
    var banner = document.getElementById("hub-banner");
    if (banner) { banner.hidden = !down; }
    document.body.classList.toggle("hub-down", down);
    refreshAllControls();
    if (!down) { document.body.dispatchEvent(new CustomEvent("hi:resync")); }  /* catch up on what we missed */
  }

  /* The back/forward cache: a page kept in it must not hold its live stream open — a browser opens at most six
     connections to the hub, and with one per kept page, after a few pages even the next page could not load. The
     stream is closed as the page is put away and reconnected when it is shown again; the reconnect then re-reads
     what changed meanwhile (hi:resync). The sse extension opens its streams with htmx.createEventSource, so they
     are collected there; it reconnects a closed stream when told of an error, as after a real outage. */
  var streams = [];
  var resumed = false, resuming = false;
  if (window.htmx && typeof window.htmx.createEventSource === "function") {
    var openStream = window.htmx.createEventSource;
    window.htmx.createEventSource = function (url) {
      var source = openStream(url);
      streams = streams.filter(function (s) { return s.readyState !== EventSource.CLOSED; }).concat([source]);
      return source;
    };
  }
  window.addEventListener("pagehide", function (evt) {
    if (evt.persisted) { streams.forEach(function (s) { s.close(); }); }
  });
  window.addEventListener("pageshow", function (evt) {
    if (!evt.persisted) { return; }
    leaving = false;
    resumed = true;
    resuming = true;  /* only for the error raised here (synchronously): a real outage later shows the banner */
    try {
      streams.forEach(function (s) {
        if (s.readyState === EventSource.CLOSED && typeof s.onerror === "function") { s.onerror(new Event("error")); }
      });
    } finally { resuming = false; }
  });

  window.addEventListener("beforeunload", function () { leaving = true; });
  document.addEventListener("htmx:sseOpen", function () {
    setLive("live", true);
    if (resumed && !hubDown) { document.body.dispatchEvent(new CustomEvent("hi:resync")); }
    resumed = false;
    setHubDown(false);
  });
  document.addEventListener("htmx:sseError", function () {
    if (leaving) { return; }
    setLive("reconnecting…", false);
    if (!resuming) { setHubDown(true); }  /* back from the cache: reconnecting is expected, not an outage */
  });
  document.addEventListener("htmx:sseMessage", function (evt) {
    var type = evt.detail && evt.detail.type;
    if (type === "resync") {
      /* The stream dropped changes for us (we were too slow): let the page re-read current values. */
      document.body.dispatchEvent(new CustomEvent("hi:resync"));
    } else if (type === "availability") {
      try { applyAvailability(JSON.parse(evt.detail.data).integrations || []); } catch (e) { /* a bad message changes nothing */ }
    } else if (type === "entity") {
      try { applyEntityChanges(JSON.parse(evt.detail.data).entities || []); } catch (e) { /* a bad message changes nothing */ }
    }
  });
  document.addEventListener("htmx:afterSettle", function (evt) {
    var target = evt.detail && evt.detail.elt;
    if (target && target.classList && target.classList.contains("live-state")) {
      target.classList.remove("live-flash");
      void target.offsetWidth;
      target.classList.add("live-flash");
      syncControls(target);
      clearFailures(target.getAttribute("data-state-id"));
      document.body.dispatchEvent(new CustomEvent("hi:state", { detail: { stateId: target.getAttribute("data-state-id") } }));
    }
  });
  /* A refused control snaps back to the value the device really has. */
  document.addEventListener("htmx:afterSwap", function (evt) {
    var target = evt.detail && evt.detail.target;
    if (!target || !target.querySelector) { return; }
    if (target.querySelector('[data-outcome="failed"]')) {
      var stateId = target.getAttribute("data-status-state");
      var live = stateId && document.getElementById("state-" + stateId);
      if (live) { syncControls(live); }
    }
    if (target.id === "results") { applyCollapsed(); }
    refreshAllControls(target);  /* swapped-in controls (a plan's panel, a page of cards) obey the hub banner too */
  });
  /* A typed code (an alarm panel's) is sent once, then emptied: it never stays in the page. */
  document.addEventListener("htmx:afterRequest", function (evt) {
    var form = evt.detail && evt.detail.elt && evt.detail.elt.closest && evt.detail.elt.closest("form");
    if (form) { form.querySelectorAll('input[name="code"]').forEach(function (input) { input.value = ""; }); }
  });
  /* The hub did not answer a control: say so where the outcome would have appeared. */
  document.addEventListener("htmx:sendError", function (evt) {
    var target = evt.detail && evt.detail.target;
    if (target) {
      target.innerHTML = '<span class="text-danger control-outcome" data-outcome="failed"><i class="bi bi-wifi-off"></i> ' +
        "The hub did not answer; nothing was sent.</span>";
    }
  });
  document.addEventListener("input", function (evt) {
    var out = document.querySelector('[data-output-for="' + evt.target.id + '"]');
    if (out) { out.textContent = evt.target.value; }
  });

  /* Home page groups: which ones a person closed is remembered in this browser, per grouping. */
  var COLLAPSED_KEY = "hi.home.collapsed";
  function collapsed() {
    try { return JSON.parse(window.localStorage.getItem(COLLAPSED_KEY) || "[]"); } catch (e) { return []; }
  }
  function applyCollapsed() {
    var closed = collapsed();
    document.querySelectorAll("details.home-group[data-group]").forEach(function (group) {
      group.open = closed.indexOf(group.getAttribute("data-group")) === -1;
    });
  }
  document.addEventListener("toggle", function (evt) {
    var group = evt.target;
    if (!group.matches || !group.matches("details.home-group[data-group]")) { return; }
    var key = group.getAttribute("data-group"), closed = collapsed().filter(function (k) { return k !== key; });
    if (!group.open) { closed.push(key); }
    try { window.localStorage.setItem(COLLAPSED_KEY, JSON.stringify(closed)); } catch (e) { /* private mode */ }
  }, true);
  /* Behaviour that used to be inline (onsubmit=, onchange=, onerror=, hx-vals="js:…"): the Content-Security-
     Policy allows scripts from static files only, so pages declare it with data- attributes instead. */
  document.addEventListener("submit", function (evt) {
    var message = evt.target.getAttribute && evt.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { evt.preventDefault(); evt.stopImmediatePropagation(); }
  }, true);
  document.addEventListener("change", function (evt) {
    if (evt.target.matches && evt.target.matches("[data-autosubmit]") && evt.target.form) { evt.target.form.submit(); }
  });
  /* An image that fails: try its data-fallback once, then hide it and show what data-on-error names
     ("next": the next element, "#id": that element, "hide": nothing). */
  function imageFailed(img) {
    if (img.dataset.fallback) { var next = img.dataset.fallback; delete img.dataset.fallback; img.src = next; return; }
    img.hidden = true;
    var what = img.getAttribute("data-on-error");
    var show = what === "next" ? img.nextElementSibling : (what && what.charAt(0) === "#" ? document.getElementById(what.slice(1)) : null);
    if (show) { show.hidden = false; }
  }
  document.addEventListener("error", function (evt) {
    var img = evt.target;
    if (img && img.tagName === "IMG" && img.hasAttribute("data-on-error")) { imageFailed(img); }
  }, true);
  function failedBeforeUs() {  /* images that failed before this script ran (it is deferred) */
    document.querySelectorAll("img[data-on-error]").forEach(function (img) {
      if (img.complete && img.naturalWidth === 0 && img.getAttribute("src")) { imageFailed(img); }
    });
  }
  /* hx-get with the page's own query string (the home page's filters), read when the request is made. */
  document.addEventListener("htmx:configRequest", function (evt) {
    if (!evt.detail.elt.hasAttribute("data-include-location-query")) { return; }
    new URLSearchParams(window.location.search).forEach(function (value, key) { evt.detail.parameters[key] = value; });
  });
  document.addEventListener("DOMContentLoaded", function () { applyCollapsed(); refreshAllControls(); failedBeforeUs(); });
})();
