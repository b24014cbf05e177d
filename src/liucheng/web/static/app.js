/* liucheng pages: the case diagram (bpmn-js viewer), admin charts (ECharts), print button.
   Everything works without this file except the diagram and the chart. */
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  function showDiagram(box) {
    var message = box.querySelector("[data-loading]");
    if (!window.BpmnJS) { return; }
    fetch(box.getAttribute("data-src"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        if (!res.ok) { if (message) { message.textContent = res.body.detail || res.body.title; } return; }
        var viewer = new window.BpmnJS({ container: box });
        return viewer.importXML(res.body.xml).then(function () {
          if (message) { message.remove(); }
          var canvas = viewer.get("canvas");
          var registry = viewer.get("elementRegistry");
          canvas.zoom("fit-viewport", "auto");
          function mark(ids, cls) {
            ids.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, cls); } });
          }
          mark(res.body.completed, "lc-done");
          mark(res.body.flows, "lc-flow");
          mark(res.body.active, "lc-active");
          box.setAttribute("data-ready", "true");
        });
      })
      .catch(function (err) { if (message) { message.textContent = String(err); } });
  }

  function showChart(box) {
    if (!window.echarts) { return; }
    var data = JSON.parse(box.getAttribute("data-chart"));
    box.style.height = Math.max(140, 40 + 34 * data.labels.length) + "px";
    var chart = window.echarts.init(box);
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis" },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.labels.slice().reverse() },
      series: [{ type: "bar", name: data.name, data: data.values.slice().reverse(), barMaxWidth: 22,
                 label: { show: true, position: "right" }, itemStyle: { color: "#2563eb" } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  onReady(function () {
    document.querySelectorAll("[data-print]").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
    document.querySelectorAll("#diagram[data-src]").forEach(showDiagram);
    document.querySelectorAll("[data-chart]").forEach(showChart);
  });
})();
