/* liucheng pages: the case diagram (bpmn-js viewer), admin charts (ECharts), print button,
   adding and removing rows of a repeating group in a form.
   Everything works without this file except the diagram and the chart (without it a group
   shows its rows and one empty row, and rows left empty are dropped). */
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  /* on an English page, draw the English names the BPMN export carries in lc:nameEn */
  var LC = "https://liucheng.dev/schema/bpmn";
  function localise(xml) {
    if ((document.documentElement.lang || "").indexOf("en") !== 0 || !window.DOMParser) { return xml; }
    var doc = new DOMParser().parseFromString(xml, "application/xml");
    if (doc.getElementsByTagName("parsererror").length) { return xml; }
    var all = doc.getElementsByTagName("*");
    for (var i = 0; i < all.length; i += 1) {
      var english = all[i].getAttributeNS(LC, "nameEn");
      if (english) { all[i].setAttribute("name", english); }
    }
    return new XMLSerializer().serializeToString(doc);
  }
  window.liucheng = { localise: localise };

  /* a group's inputs are named <group>.<row>.<field>; rows are numbered from 1 */
  function renumber(group) {
    var id = group.getAttribute("data-group");
    group.querySelectorAll("tr[data-row]").forEach(function (row, index) {
      var n = String(index + 1);
      row.querySelector(".n").textContent = n;
      row.querySelectorAll("input, select, textarea").forEach(function (input) {
        var sub = input.name.split(".").slice(2).join(".");
        input.name = id + "." + n + "." + sub;
        input.id = "f-" + id + "-" + n + "-" + sub;
        var label = input.getAttribute("aria-label");
        if (label) { input.setAttribute("aria-label", label.replace(/\s\d+$/, " " + n)); }
      });
      row.querySelector("[data-row-remove]").hidden = group.querySelectorAll("tr[data-row]").length < 2;
    });
  }

  function setUpGroup(group) {
    var body = group.querySelector("tbody");
    var add = group.querySelector("[data-row-add]");
    add.hidden = false;
    add.addEventListener("click", function () {
      var rows = body.querySelectorAll("tr[data-row]");
      var copy = rows[rows.length - 1].cloneNode(true);
      copy.querySelectorAll("input, select, textarea").forEach(function (input) {
        input.value = "";
        input.removeAttribute("aria-invalid");
      });
      copy.querySelectorAll(".error").forEach(function (p) { p.remove(); });
      body.appendChild(copy);
      renumber(group);
      copy.querySelector("input, select, textarea").focus();
    });
    body.addEventListener("click", function (event) {
      var button = event.target.closest("[data-row-remove]");
      if (!button || body.querySelectorAll("tr[data-row]").length < 2) { return; }
      button.closest("tr").remove();
      renumber(group);
      add.focus();
    });
    renumber(group);
  }

  function showDiagram(box) {
    var message = box.querySelector("[data-loading]");
    if (!window.BpmnJS) { return; }
    fetch(box.getAttribute("data-src"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        if (!res.ok) { if (message) { message.textContent = res.body.detail || res.body.title; } return; }
        var viewer = new window.BpmnJS({ container: box });
        return viewer.importXML(localise(res.body.xml)).then(function () {
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
    document.querySelectorAll("fieldset[data-group]").forEach(setUpGroup);
  });
})();
