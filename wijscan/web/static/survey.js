// Questionnaire comfort: keep this page's answers in the browser until the server has confirmed
// that it saved them, send them when the connection returns, and show the page again (answers
// kept) when a save is refused. Without JavaScript the form posts as usual.
// For the keyboard and a screen reader: an error summary at the top takes the focus and its link
// goes to the question's first answer; going on from a page with no answer at all is reminded
// once (skipping stays allowed: a second press goes on).
(function () {
  "use strict";
  var form = document.querySelector("form[data-survey]");
  if (!form) { return; }

  // --- the error summary and the reminder --------------------------------------------------
  function words(name, n) { return (form.getAttribute("data-" + name) || "").replace("{n}", n); }
  function focusSummary() {
    var summary = form.querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }
    return summary;
  }
  focusSummary();
  form.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) { return; }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) { return; }
    event.preventDefault();
    var group = target.closest("fieldset") || target;
    var checked = group.querySelector("input:checked");
    group.scrollIntoView({ block: "start" });
    (checked || target).focus({ preventScroll: true });
  });
  function groups() { return [].slice.call(form.querySelectorAll("fieldset.item")); }
  function answered(group) { return group.querySelector("input[type=radio]:checked") !== null; }
  function unmark(group) {
    group.classList.remove("is-missing");
    var note = group.querySelector("[data-missing-note]");
    if (note) { note.parentNode.removeChild(note); }
    [].forEach.call(group.querySelectorAll("input[data-missing]"), function (input) {
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
      input.removeAttribute("data-missing");
    });
  }
  function mark(group, id) {
    var note = document.createElement("p");
    note.className = "error";
    note.id = id;
    note.setAttribute("data-missing-note", "");
    note.textContent = words("missing-item");
    var legend = group.querySelector("legend");
    group.insertBefore(note, legend ? legend.nextSibling : group.firstChild);
    group.classList.add("is-missing");
    [].forEach.call(group.querySelectorAll("input[type=radio]"), function (input) {
      if (input.hasAttribute("aria-invalid")) { return; }  // the server's mark stays
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", id);
      input.setAttribute("data-missing", "");
    });
  }
  var reminded = false;
  // Going on from a page where no question has an answer (a tap too early, an Enter in the
  // wrong place): say so once, name the questions, and go on at the next press.
  function remind() {
    var all = groups();
    if (reminded || !all.length || all.some(answered)) { return false; }
    reminded = true;
    var box = document.createElement("div");
    box.className = "flash error error-summary";
    box.setAttribute("role", "alert");
    box.setAttribute("tabindex", "-1");
    box.setAttribute("data-error-summary", "");
    var title = document.createElement("p");
    title.textContent = words("missing-title");
    var list = document.createElement("ul");
    all.forEach(function (group, index) {
      var first = group.querySelector("input[type=radio]");
      var legend = group.querySelector("legend");
      if (!first) { return; }
      mark(group, "q-" + first.name + "-missing");
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#" + first.id;
      link.textContent = words("question", index + 1) + ": " + (legend ? legend.textContent.trim() : "");
      item.appendChild(link);
      list.appendChild(item);
    });
    var skip = document.createElement("p");
    skip.textContent = words("missing-skip");
    box.appendChild(title);
    box.appendChild(list);
    box.appendChild(skip);
    form.insertBefore(box, form.firstChild);
    box.focus();
    return true;
  }
  form.addEventListener("change", function (event) {
    var group = event.target.closest && event.target.closest("fieldset.item.is-missing");
    if (group) { unmark(group); }
  });
  // Enter on an answer chooses it. (Chrome would send the page with its first button — on page
  // 2 and later "Vorige" — and a student who pressed Enter to choose would land a page back.)
  form.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key !== "Enter" || !input || input.type !== "radio" ||
        event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    event.preventDefault();
    if (!input.checked) { input.click(); }
  });
  function nav(event) { return (event.submitter && event.submitter.value) || "next"; }
  form.addEventListener("submit", function (event) {
    if (nav(event) === "next" && remind()) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  });

  // --- keeping the answers until the server confirmed them ---------------------------------
  if (!window.fetch || !window.localStorage || !window.FormData || !window.DOMParser) {
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
    if (!focusSummary()) { show(".save-error"); }
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
    var going = nav(event);
    event.preventDefault();
    if (!navigator.onLine) { offline(going); return; }
    send(going).catch(function () { offline(going); });
  });
})();
