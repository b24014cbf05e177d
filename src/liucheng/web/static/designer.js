/* liucheng designer: bpmn-js's modeler with a small properties panel. Opens a process's
   BPMN (or a new one, or a file), checks it (POST /api/v1/definitions/validate, or as a
   draft of a drawing: POST /api/v1/definitions/draft, findings marked like problems) and deploys
   it (POST /api/v1/definitions, format bpmn) as the next version. The problems of an import
   are marked on their elements and listed beside the diagram. No eval, no inline script. */
(function () {
  "use strict";

  var EXPRESSION = "https://liucheng.dev/schema/bpmn/expression";
  var box = document.getElementById("canvas");
  if (!box || !window.BpmnJS) { return; }
  var msg = JSON.parse(box.getAttribute("data-messages") || "{}");
  var key = box.getAttribute("data-key");
  var status = document.getElementById("designer-status");
  var problemsBox = document.getElementById("problems-box");
  var problemsList = document.getElementById("problems");
  var modeler = new window.BpmnJS({ container: box });
  var canvas = modeler.get("canvas");
  var registry = modeler.get("elementRegistry");
  var overlays = modeler.get("overlays");
  var modeling = modeler.get("modeling");
  var moddle = modeler.get("moddle");
  var marked = [];
  var current = null;

  function say(text, kind, link) {
    status.textContent = text;
    status.className = "designer-status" + (kind ? " " + kind : "");
    if (link) {
      var a = document.createElement("a");
      a.href = link.href;
      a.textContent = link.text;
      status.appendChild(document.createTextNode(" "));
      status.appendChild(a);
    }
  }

  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || ""; }
    catch (e) { return ""; }
  }

  function clearProblems() {
    marked.forEach(function (id) { if (registry.get(id)) { canvas.removeMarker(id, "lc-error"); } });
    marked = [];
    overlays.remove({ type: "lc-problem" });
    problemsList.textContent = "";
    problemsBox.hidden = true;
  }

  function focusElement(id) {
    var el = registry.get(id);
    if (!el) { return; }
    modeler.get("selection").select(el);
    if (el.waypoints === undefined) { canvas.scrollToElement(el); }
  }

  function showProblems(problems) {
    clearProblems();
    problems.forEach(function (p, i) {
      var onDiagram = p.element && registry.get(p.element);
      if (onDiagram && marked.indexOf(p.element) < 0) {
        canvas.addMarker(p.element, "lc-error");
        marked.push(p.element);
        var badge = document.createElement("span");
        badge.className = "lc-problem-badge";
        badge.textContent = String(i + 1);
        badge.title = p.message;
        overlays.add(p.element, "lc-problem", { position: { top: -10, left: -10 }, html: badge });
      }
      var item = document.createElement("li");
      item.setAttribute("data-element", p.element || "");
      var where = p.element ? p.element : msg.process_level;
      var text = where + ": " + p.message + (p.line ? " (" + msg.line.replace("{line}", p.line) + ")" : "");
      if (onDiagram) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "linklike";
        button.textContent = text;
        button.addEventListener("click", function () { focusElement(p.element); });
        item.appendChild(button);
      } else {
        item.textContent = text;
      }
      if (p.hint) {
        var hint = document.createElement("span");
        hint.className = "help";
        hint.textContent = " — " + p.hint;
        item.appendChild(hint);
      }
      problemsList.appendChild(item);
    });
    problemsBox.hidden = problems.length === 0;
  }

  /* the whole diagram in view, clear of the palette on the left */
  function fit() {
    var inner = canvas.viewbox().inner;
    var width = box.clientWidth;
    var height = box.clientHeight;
    var left = 120;
    if (!inner.width || !width) { canvas.zoom("fit-viewport", "auto"); return; }
    var scale = Math.min((width - left - 24) / inner.width, (height - 48) / inner.height, 1);
    canvas.viewbox({ x: inner.x - left / scale, y: inner.y - (height / scale - inner.height) / 2,
                     width: width / scale, height: height / scale });
  }

  function load(xml) {
    return modeler.importXML(xml).then(function () {
      fit();
      clearProblems();
      showProps(null);
      box.setAttribute("data-ready", "true");
    }).catch(function (err) {
      say(msg.import_failed + " " + (err && err.message ? err.message : String(err)), "bad");
    });
  }

  function send(url, deploying) {
    return modeler.saveXML({ format: true }).then(function (saved) {
      return fetch(url, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json",
                   "X-CSRF-Token": csrf() },
        body: JSON.stringify({ source: saved.xml, format: "bpmn", source_name: key + ".bpmn" })
      });
    }).then(function (r) {
      return r.json().then(function (body) { return { status: r.status, body: body }; });
    }).then(function (res) {
      var body = res.body;
      if (res.status === 422 && body.problems) {
        showProblems(body.problems);
        say(msg.invalid.replace("{n}", body.problems.length), "bad");
      } else if (res.status >= 400) {
        say(msg.failed + " " + (body.detail || body.title || res.status), "bad");
      } else if (body.findings) {  /* a drawing checked as a draft (docs/bpmn.md, Drafts) */
        showProblems(body.findings);
        say(body.draft ? msg.draft.replace("{n}", body.findings.length) : msg.draft_none,
            body.draft ? "bad" : "ok");
      } else if (!deploying) {
        clearProblems();
        say(msg.valid, "ok");
      } else {
        clearProblems();
        var text = (res.status === 201 ? msg.deployed : msg.unchanged)
          .replace("{version}", body.version).replace("{key}", body.key);
        say(text, "ok", { href: "/designer/process/" + encodeURIComponent(body.key), text: msg.see_process });
        box.setAttribute("data-deployed", String(body.version));
        document.getElementById("d-version").textContent = msg.version.replace("{version}", body.version);
      }
    }).catch(function (err) { say(msg.failed + " " + String(err), "bad"); });
  }

  /* properties: name, English name, roles of a user task, condition of a sequence flow */
  var form = document.getElementById("props-form");
  var none = document.getElementById("props-none");

  function target() { return current || canvas.getRootElement(); }

  function readProp(bo, prop) {
    if (prop === "name") { return bo.name || ""; }
    if (prop === "condition") { return bo.conditionExpression ? (bo.conditionExpression.body || "") : ""; }
    return (bo.$attrs && bo.$attrs[prop]) || "";
  }

  function showProps(element) {
    current = element;
    var el = target();
    var bo = el && el.businessObject;
    if (!bo) { form.hidden = true; none.hidden = false; return; }
    form.hidden = false;
    none.hidden = !!element;
    document.getElementById("prop-id").textContent = bo.$type.replace("bpmn:", "") + " · " + (bo.id || "");
    form.querySelectorAll("[data-for]").forEach(function (field) {
      field.hidden = !bo.$instanceOf(field.getAttribute("data-for"));
    });
    form.querySelectorAll("[data-prop]").forEach(function (input) {
      if (document.activeElement !== input) { input.value = readProp(bo, input.getAttribute("data-prop")); }
    });
  }

  function writeProp(prop, value) {
    var el = target();
    var change = {};
    if (prop === "condition") {
      change.conditionExpression = value
        ? moddle.create("bpmn:FormalExpression", { body: value, language: EXPRESSION }) : undefined;
    } else {
      change[prop] = value || undefined;
    }
    modeling.updateProperties(el, change);
  }

  form.addEventListener("submit", function (e) { e.preventDefault(); });
  form.querySelectorAll("[data-prop]").forEach(function (input) {
    input.addEventListener("change", function () { writeProp(input.getAttribute("data-prop"), input.value.trim()); });
  });
  var eventBus = modeler.get("eventBus");
  eventBus.on("selection.changed", function (e) {
    showProps(e.newSelection.length === 1 ? e.newSelection[0] : null);
  });
  eventBus.on("element.changed", function (e) { if (e.element === target()) { showProps(current); } });

  document.getElementById("btn-validate").addEventListener("click", function () {
    send("/api/v1/definitions/validate", false);
  });
  document.getElementById("btn-draft").addEventListener("click", function () {
    send("/api/v1/definitions/draft", false);
  });
  document.getElementById("btn-deploy").addEventListener("click", function () {
    send("/api/v1/definitions", true);
  });
  document.getElementById("btn-download").addEventListener("click", function () {
    modeler.saveXML({ format: true }).then(function (saved) {
      var link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([saved.xml], { type: "application/xml" }));
      link.download = key + ".bpmn";
      document.body.appendChild(link);
      link.click();
      link.remove();
    });
  });
  document.getElementById("open-file").addEventListener("change", function (e) {
    var file = e.target.files && e.target.files[0];
    if (!file) { return; }
    file.text().then(function (text) {
      return load(text).then(function () {
        var bo = canvas.getRootElement().businessObject;
        var process = bo.$instanceOf("bpmn:Process") ? bo
          : (bo.participants && bo.participants[0] && bo.participants[0].processRef);
        if (process && process.id) {
          key = process.id;
          document.getElementById("d-key").textContent = process.id;
          document.getElementById("d-name").textContent = process.name || process.id;
          document.getElementById("d-version").textContent = "";
        }
        say(msg.imported.replace("{file}", file.name));
      });
    });
  });

  say(msg.loading);
  if (box.hasAttribute("data-xml")) {
    load(box.getAttribute("data-xml")).then(function () { say(""); });
  } else {
    fetch(box.getAttribute("data-src"), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.text(); })
      .then(function (xml) { return load(xml); })
      .then(function () { say(""); })
      .catch(function (err) { say(msg.import_failed + " " + String(err), "bad"); });
  }
})();
