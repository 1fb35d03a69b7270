// Class screen: refresh the started/finished counts every few seconds (the page works without).
(function () {
  "use strict";
  var box = document.getElementById("progress");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-progress-url");
  function set(selector, value) {
    var el = box.querySelector(selector);
    if (el) { el.textContent = value; }
  }
  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        set("[data-started]", data.started);
        set("[data-finished]", data.finished);
        if (data.expected !== null) { set("[data-expected]", data.expected); }
        var full = document.querySelector("[data-code-full]");
        if (full) { full.hidden = !data.code_full; }
        var list = box.querySelector("[data-not-finished]");
        if (list) {
          list.textContent = "";
          data.not_finished.forEach(function (name) {
            var li = document.createElement("li");
            li.textContent = name;
            list.appendChild(li);
          });
          set("[data-open-count]", data.not_finished.length);
        }
      })
      .catch(function () { /* try again at the next tick */ });
  }
  setInterval(refresh, 4000);
})();
