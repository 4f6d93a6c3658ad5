// P-HC-2: the child's growth chart (ECharts from npm, served as a static file: the page's
// CSP allows no inline script). Data: the JSON in #growth-data (z-scores by age in months).
(function () {
  "use strict";
  function draw() {
    var el = document.getElementById("growth-chart");
    var data = document.getElementById("growth-data");
    if (!el || !data || typeof echarts === "undefined") return;
    var d = JSON.parse(data.textContent);
    var chart = echarts.init(el, null, { renderer: "canvas" });
    function line(name, key) {
      return { name: name, type: "line", data: d.points.map(function (p) { return [p.age, p[key]]; }) };
    }
    var band = function (y, name) {
      return { name: name, type: "line", symbol: "none", lineStyle: { type: "dashed", width: 1 },
        data: [[0, y], [36, y]] };
    };
    chart.setOption({
      animation: false,
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 40, bottom: 36 },
      xAxis: { type: "value", name: d.labels.age, min: 0, max: 36 },
      yAxis: { type: "value", name: "z", min: -4, max: 4 },
      series: [
        line(d.labels.waz, "waz"), line(d.labels.haz, "haz"), line(d.labels.whz, "whz"),
        band(-2, "-2"), band(2, "+2")
      ]
    });
    el.setAttribute("data-rendered", "1");
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
