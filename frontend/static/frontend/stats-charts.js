// Statistics dashboard charts: an enhancement over the tables beside them (which stay the content).
// Reads the figures from the page's json_script element (no inline script: CSP) and draws them with ECharts,
// served from static/vendor. Tooltips are drawn on the canvas (renderMode "richText"): no HTML, no style=.
(function () {
  "use strict";
  function start() {
    var source = document.getElementById("stats-charts");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var colours = ["#1d4ed8", "#93c5fd", "#0f766e"];
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var spec = data[el.getAttribute("data-chart")];
      if (!spec || !spec.labels.length) { return; }
      el.classList.add("stats-chart--on");
      var categoryAxis = { type: "category", data: spec.labels, axisLabel: { width: 90, overflow: "truncate" } };
      var valueAxis = { type: "value", minInterval: 1 };
      if (spec.horizontal) { categoryAxis.inverse = true; }
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption({
        color: colours,
        animation: false,
        aria: { enabled: false },
        grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
        legend: { show: spec.series.length > 1, top: 0 },
        tooltip: { trigger: "axis", renderMode: "richText", axisPointer: { type: "shadow" } },
        xAxis: spec.horizontal ? valueAxis : categoryAxis,
        yAxis: spec.horizontal ? categoryAxis : valueAxis,
        series: spec.series.map(function (s) {
          return { name: s.name, type: "bar", data: s.values, stack: spec.stack ? "total" : undefined };
        })
      });
      el.setAttribute("data-chart-ready", "true");
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
