/* liucheng dashboards: ECharts charts from the JSON in data-lc-chart (categories, bar and
   line series on one or two value axes), and the heat map on the process diagram (bpmn-js
   viewer; each step coloured by its level for median waiting time or queue length, with
   its figure as an overlay). The tables beside them hold the same numbers. */
(function () {
  "use strict";

  var COLOURS = ["#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2"];

  function onReady(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  function showChart(box) {
    if (!window.echarts) { return; }
    var spec = JSON.parse(box.getAttribute("data-lc-chart"));
    var horizontal = !!spec.horizontal;
    var categories = horizontal ? spec.categories.slice().reverse() : spec.categories;
    var two = spec.series.some(function (s) { return s.axis === 1; });
    box.style.height = (horizontal ? Math.max(180, 70 + 30 * categories.length) : 300) + "px";
    var valueAxes = (two ? [0, 1] : [0]).map(function (i) {
      return { type: "value", name: spec.axes[i] || "", minInterval: i === 0 ? 1 : 0,
               splitLine: { show: i === 0 }, nameTextStyle: { color: "#6b7280" },
               nameLocation: horizontal ? "middle" : "end", nameGap: horizontal ? 24 : 12 };
    });
    var category = { type: "category", data: categories, axisLabel: { hideOverlap: true } };
    var series = spec.series.map(function (s, i) {
      var values = horizontal ? s.values.slice().reverse() : s.values;
      var item = { name: s.name, type: s.kind === "line" ? "line" : "bar", data: values,
                   itemStyle: { color: COLOURS[i % COLOURS.length] }, barMaxWidth: 26,
                   connectNulls: true, symbolSize: 7 };
      item[horizontal ? "xAxisIndex" : "yAxisIndex"] = two ? s.axis : 0;
      return item;
    });
    legend(box, spec.series);
    var chart = window.echarts.init(box);
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 24, top: 32, bottom: horizontal ? 28 : 8, containLabel: true },
      tooltip: { trigger: "axis" },
      xAxis: horizontal ? valueAxes : category,
      yAxis: horizontal ? category : valueAxes,
      series: series
    });
    box.setAttribute("data-ready", "true");
    window.addEventListener("resize", function () { chart.resize(); });
  }

  /* the simple ECharts build has no legend component: the legend is a list above the chart */
  function legend(box, series) {
    if (series.length < 2 || box.previousElementSibling && box.previousElementSibling.classList.contains("chart-legend")) { return; }
    var list = document.createElement("ul");
    list.className = "chart-legend";
    list.setAttribute("aria-hidden", "true");
    series.forEach(function (s, i) {
      var item = document.createElement("li");
      var key = document.createElement("span");
      key.className = "key " + (s.kind === "line" ? "line" : "bar");
      key.style.backgroundColor = COLOURS[i % COLOURS.length];
      item.appendChild(key);
      item.appendChild(document.createTextNode(s.name));
      list.appendChild(item);
    });
    box.parentNode.insertBefore(list, box);
  }

  function badge(text, title) {
    var el = document.createElement("span");
    el.className = "lc-heat-badge";
    el.textContent = text;
    el.title = title;
    return el;
  }

  /* English step names on an English page (app.js, loaded first) */
  function localise(xml) { return window.liucheng ? window.liucheng.localise(xml) : xml; }

  function showHeatMap(box) {
    var message = box.querySelector("[data-loading]");
    if (!window.BpmnJS) { return; }
    var heat = JSON.parse(box.getAttribute("data-heat"));
    var metric = box.getAttribute("data-metric") === "queue" ? "queue" : "wait";
    fetch(box.getAttribute("data-src"), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.text(); })
      .then(function (xml) {
        var viewer = new window.BpmnJS({ container: box });
        return viewer.importXML(localise(xml)).then(function () {
          if (message) { message.remove(); }
          var canvas = viewer.get("canvas");
          var registry = viewer.get("elementRegistry");
          var overlays = viewer.get("overlays");
          var box2 = canvas.viewbox().inner;
          if (box2.width > 0) {
            var wanted = box.clientWidth * (box2.height + 80) / (box2.width + 80);
            box.style.height = Math.round(Math.min(640, Math.max(260, wanted))) + "px";
            canvas.resized();
          }
          canvas.zoom("fit-viewport", "auto");
          var coloured = 0;
          Object.keys(heat).forEach(function (id) {
            if (!registry.get(id)) { return; }
            var step = heat[id];
            canvas.addMarker(id, "lc-heat-" + step[metric]);
            var text = metric === "queue" ? step.queue_text : step.wait_text;
            overlays.add(id, "lc-heat", { position: { top: -24, left: 0 },
                                           html: badge(text, step.title + ": " + text) });
            coloured += 1;
          });
          box.setAttribute("data-coloured", String(coloured));
          box.setAttribute("data-ready", "true");
        });
      })
      .catch(function (err) { if (message) { message.textContent = String(err); } });
  }

  onReady(function () {
    document.querySelectorAll("[data-lc-chart]").forEach(showChart);
    document.querySelectorAll("#heatmap[data-src]").forEach(showHeatMap);
  });
})();
