// Questionnaire comfort: keep this page's answers in the browser while offline and send them when
// the connection returns. Without JavaScript the form posts as usual.
(function () {
  "use strict";
  var form = document.querySelector("form[data-survey]");
  if (!form || !window.fetch || !window.localStorage || !window.FormData) { return; }
  var key = "wijscan:" + form.getAttribute("action");
  var note = form.querySelector(".offline-note");

  // Restore answers kept from an earlier visit to this page that never reached the server.
  try {
    var kept = JSON.parse(localStorage.getItem(key) || "null");
    if (kept && kept.answers) {
      Object.keys(kept.answers).forEach(function (name) {
        var input = form.querySelector('input[name="' + name + '"][value="' + kept.answers[name] + '"]');
        if (input && !form.querySelector('input[name="' + name + '"]:checked')) { input.checked = true; }
      });
    }
  } catch (e) { localStorage.removeItem(key); }

  function keep(nav) {
    var answers = {};
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf_token" && name !== "nav") { answers[name] = value; }
    });
    localStorage.setItem(key, JSON.stringify({ answers: answers, nav: nav }));
  }
  form.addEventListener("change", function () { keep(null); });

  function send(nav) {
    var data = new FormData(form);
    data.set("nav", nav);
    return fetch(form.getAttribute("action"), {
      method: "POST", body: data, credentials: "same-origin", redirect: "follow"
    }).then(function (response) {
      if (!response.ok && response.status !== 400) { throw new Error("status " + response.status); }
      localStorage.removeItem(key);
      window.location.assign(response.url);
    });
  }
  function offline(nav) {
    keep(nav);
    if (note) { note.hidden = false; }
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
