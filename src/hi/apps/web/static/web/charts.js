/* hi: history and forecast charts (Chart.js, served locally). */
(function () {
  "use strict";
  var charts = {};
  var currentPeriod = "24h";

  function lineOptions(data) {
    var y = { beginAtZero: !!data.stepped, title: { display: !!data.units, text: data.units || "" } };
    if (data.stepped && data.labels) {
      y.min = 0; y.max = 1;
      y.ticks = { stepSize: 1, callback: function (v) { return data.labels[String(v)] || ""; } };
    }
    return {
      animation: false, maintainAspectRatio: false, parsing: true,
      plugins: { legend: { display: false }, title: { display: true, text: data.label } },
      scales: { x: { type: "time", min: data.since, max: data.until, time: { tooltipFormat: "PPpp" } }, y: y }
    };
  }

  function loadHistory(canvas) {
    var url = canvas.getAttribute("data-url") + "&period=" + encodeURIComponent(currentPeriod);
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
      var key = canvas.getAttribute("data-state-id");
      var dataset = { data: data.points, stepped: data.stepped, borderColor: "#0d6efd", backgroundColor: "rgba(13,110,253,.15)",
                      fill: data.stepped, pointRadius: data.points.length > 200 ? 0 : 2, borderWidth: 2 };
      var datasets = [dataset];
      if (data.aggregated) { /* long ranges: hourly buckets, drawn as the mean inside a min-max band */
        var band = data.points.filter(function (p) { return p.min !== undefined; });
        datasets.push({ data: band.map(function (p) { return { x: p.x, y: p.max }; }), borderWidth: 0, pointRadius: 0,
                        fill: "+1", backgroundColor: "rgba(13,110,253,.12)" });
        datasets.push({ data: band.map(function (p) { return { x: p.x, y: p.min }; }), borderWidth: 0, pointRadius: 0,
                        fill: false });
      }
      if (charts[key]) {
        charts[key].options.scales.x.min = data.since;
        charts[key].options.scales.x.max = data.until;
        charts[key].data.datasets = datasets;
        charts[key].update();
      } else {
        charts[key] = new Chart(canvas, { type: "line", data: { datasets: datasets }, options: lineOptions(data) });
      }
      canvas.setAttribute("data-points", String(data.points.length));
    });
  }

  function initHistory(period) {
    currentPeriod = period || currentPeriod;
    document.querySelectorAll("canvas.history-chart").forEach(loadHistory);
    document.querySelectorAll("#period-buttons [data-period]").forEach(function (button) {
      button.addEventListener("click", function () {
        document.querySelectorAll("#period-buttons .active").forEach(function (b) { b.classList.remove("active"); });
        button.classList.add("active");
        currentPeriod = button.getAttribute("data-period");
        document.querySelectorAll("canvas.history-chart").forEach(loadHistory);
      });
    });
    document.body.addEventListener("hi:state", function (evt) {
      var canvas = document.querySelector('canvas.history-chart[data-state-id="' + evt.detail.stateId + '"]');
      if (canvas) { loadHistory(canvas); }
    });
  }

  /* Forecast series: [{label, units, points:[{x,y}]}] rendered as one chart per canvas. */
  function initSeries() {
    document.querySelectorAll("canvas.series-chart").forEach(function (canvas) {
      var source = document.getElementById(canvas.getAttribute("data-series"));
      if (!source) { return; }
      var series = JSON.parse(source.textContent);
      var colors = ["#dc3545", "#0d6efd", "#198754", "#fd7e14"];
      var datasets = series.map(function (s, i) {
        var pct = s.axis === "pct";
        return { label: s.label + (s.units ? " (" + s.units + ")" : ""), data: s.points, borderColor: colors[i % colors.length],
                 backgroundColor: pct ? "rgba(25,135,84,.12)" : "transparent", fill: pct, stepped: false,
                 pointRadius: 1, borderWidth: 2, yAxisID: pct ? "pct" : "y" };
      });
      var scales = { x: { type: "time" }, y: { position: "left" } };
      if (series.some(function (s) { return s.axis === "pct"; })) {
        scales.pct = { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false }, title: { display: true, text: "%" } };
      }
      new Chart(canvas, { type: "line", data: { datasets: datasets }, options: { animation: false, maintainAspectRatio: false, scales: scales } });
    });
  }

  window.hiCharts = { initHistory: initHistory, initSeries: initSeries };

  /* Started from the script tag's data- attributes (no inline script: the Content-Security-Policy forbids it). */
  var tag = document.currentScript;
  document.addEventListener("DOMContentLoaded", function () {
    if (tag && tag.hasAttribute("data-history-period")) { initHistory(tag.getAttribute("data-history-period")); }
    if (tag && tag.hasAttribute("data-series")) { initSeries(); }
  });
})();
