// Questionnaire comfort: keep this page's answers in the browser until the server has confirmed
// that it saved them, send them when the connection returns, and show the page again (answers
// kept) when a save is refused. Without JavaScript the form posts as usual.
(function () {
  "use strict";
  var form = document.querySelector("form[data-survey]");
  if (!form || !window.fetch || !window.localStorage || !window.FormData || !window.DOMParser) {
    return;
  }
  var key = "wijscan:" + form.getAttribute("action");

  function kept() {
    try { return JSON.parse(localStorage.getItem(key) || "null"); }
    catch (e) { localStorage.removeItem(key); return null; }
  }
  // Put back answers kept from an earlier visit to this page that never reached the server.
  function restore() {
    var saved = kept();
    if (!saved || !saved.answers) { return; }
    Object.keys(saved.answers).forEach(function (name) {
      var input = form.querySelector('input[name="' + name + '"][value="' + saved.answers[name] + '"]');
      if (input && !form.querySelector('input[name="' + name + '"]:checked')) { input.checked = true; }
    });
  }
  restore();

  function keep(nav) {
    var answers = {};
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf_token" && name !== "nav") { answers[name] = value; }
    });
    localStorage.setItem(key, JSON.stringify({ answers: answers, nav: nav }));
  }
  form.addEventListener("change", function () { keep(null); });

  function show(selector) {
    var el = form.querySelector(selector);
    if (el) { el.hidden = false; el.setAttribute("tabindex", "-1"); el.focus(); }
  }
  // The server refused the save and sent the page again (a fresh check token, the answers as
  // sent, one sentence): take its form over and keep what the student chose.
  function again(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("form[data-survey]");
    if (!fresh) { show(".save-note"); return; }
    keep(null);
    form.innerHTML = fresh.innerHTML;
    restore();
    show(".save-error");
  }

  function send(nav) {
    keep(nav);
    var data = new FormData(form);
    data.set("nav", nav);
    return fetch(form.getAttribute("action"), {
      method: "POST", body: data, credentials: "same-origin", redirect: "follow",
      headers: { "X-Wijscan-Save": "1" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (response.ok && type.indexOf("application/json") === 0) {
        return response.json().then(function (result) {
          if (!result.saved) { throw new Error("not saved"); }
          localStorage.removeItem(key);  // confirmed: only now do the kept answers go
          window.location.assign(result.next);
        });
      }
      if (response.status === 404 && type.indexOf("text/html") === 0) {
        // The code opens nothing any more (the scan was closed, say): show the page that says
        // so. The answers stay kept in the browser.
        window.location.assign(response.url);
        return;
      }
      if (response.status >= 400 && response.status < 500 && type.indexOf("text/html") === 0) {
        return response.text().then(again);
      }
      if (response.ok) {  // sent elsewhere without a save (the start page): answers stay kept
        window.location.assign(response.url);
        return;
      }
      show(".save-note");  // a server error: nothing lost, the student tries again
    });
  }
  function offline(nav) {
    keep(nav);
    show(".offline-note");
    window.addEventListener("online", function retry() {
      window.removeEventListener("online", retry);
      send(nav).catch(function () { offline(nav); });
    });
  }
  form.addEventListener("submit", function (event) {
    var nav = (event.submitter && event.submitter.value) || "next";
    event.preventDefault();
    if (!navigator.onLine) { offline(nav); return; }
    send(nav).catch(function () { offline(nav); });
  });
})();
