/* liucheng task page: a scan chosen for a checklist item is uploaded at once through the
   files route (POST /api/v1/cases/{id}/files) and attached to the item; the completion
   form then sends only its id. Without this file the scans go with the form instead. */
(function () {
  "use strict";

  function csrfOf(input) {
    var form = input.form;
    var field = form && form.querySelector("input[name=csrf_token]");
    return field ? field.value : "";
  }

  function messageOf(body) {
    var zh = (document.documentElement.lang || "").indexOf("zh") === 0;
    var first = body && body.problems && body.problems[0];
    if (first) { return (zh && first.message_zh) || first.message; }
    return (body && (body.detail || body.title)) || "upload failed";
  }

  function upload(input) {
    var item = input.getAttribute("data-item");
    var status = document.querySelector("[data-status='" + item + "']");
    var list = document.querySelector("[data-files='" + item + "']");
    var files = Array.prototype.slice.call(input.files || []);
    if (!files.length || !list) { return; }
    input.disabled = true;
    if (status) { status.textContent = input.getAttribute("data-uploading"); status.classList.remove("error"); }
    var sent = files.map(function (file) {
      var body = new FormData();
      body.append("file", file, file.name);
      return fetch(input.getAttribute("data-upload"), {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRF-Token": csrfOf(input), Accept: "application/json" }
      }).then(function (r) {
        return r.json().then(function (json) {
          if (!r.ok) { throw new Error(messageOf(json)); }
          var li = document.createElement("li");
          var hidden = document.createElement("input");
          hidden.type = "hidden"; hidden.name = "docfile." + item; hidden.value = json.sha256;
          var link = document.createElement("a");
          link.href = input.getAttribute("data-upload") + "/" + json.sha256;
          link.textContent = json.filename;
          li.appendChild(hidden); li.appendChild(link);
          var n = list.querySelectorAll("li").length + 1;
          var drop = document.createElement("label");
          drop.className = "check drop"; drop.htmlFor = "x-" + item + "-" + n + "-new";
          var box = document.createElement("input");
          box.type = "checkbox"; box.id = drop.htmlFor; box.name = "docdrop." + item;
          box.value = json.sha256;
          drop.appendChild(box); drop.appendChild(document.createTextNode(" " + input.getAttribute("data-drop")));
          li.appendChild(document.createTextNode(" ")); li.appendChild(drop);
          list.appendChild(li);
        });
      });
    });
    Promise.all(sent).then(function () {
      if (status) { status.textContent = input.getAttribute("data-uploaded"); }
    }).catch(function (err) {
      if (status) { status.textContent = err.message; status.classList.add("error"); }
    }).then(function () {
      input.value = "";  /* sent already (or refused): not again with the form */
      input.disabled = false;
    });
  }

  function ready() {
    document.querySelectorAll("input[type=file][data-upload]").forEach(function (input) {
      input.addEventListener("change", function () { upload(input); });
    });
  }

  if (document.readyState !== "loading") { ready(); } else { document.addEventListener("DOMContentLoaded", ready); }
})();
