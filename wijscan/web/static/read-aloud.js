// Read aloud ("Lees voor") for students who read with difficulty: a button at the top reads the
// whole page (the heading and text, then each question with its answers), and a button in each
// question reads that question. The browser's own speech (speechSynthesis), in the page's
// language (<html lang>); nothing goes to a server. The buttons are made here, and only when the
// browser has a voice for that language: without JavaScript or speech the page stays as it is.
// The words come from the page (data-* on [data-read-aloud], translated there).
(function () {
  "use strict";
  var root = document.querySelector("[data-read-aloud]");
  var synth = window.speechSynthesis;
  if (!root || !synth || !window.SpeechSynthesisUtterance || typeof synth.speak !== "function") {
    return;
  }
  var lang = (document.documentElement.getAttribute("lang") || "nl").toLowerCase().split(/[-_]/)[0];

  function words(name, n) { return (root.getAttribute("data-" + name) || "").replace("{n}", n); }
  function prefix(tag) { return String(tag || "").toLowerCase().split(/[-_]/)[0]; }
  // A voice for the page's language: the browser's default one first, then one of the country
  // of the language (nl-NL, en-GB, …), then any (nl-BE).
  function voiceFor() {
    var voices = [];
    try { voices = synth.getVoices() || []; } catch (e) { return null; }
    var mine = [].filter.call(voices, function (v) { return prefix(v.lang) === lang; });
    if (!mine.length) { return null; }
    var home = lang + "-" + (lang === "en" ? "gb" : lang);
    function find(test) { return mine.filter(test)[0]; }
    return find(function (v) { return v["default"]; }) ||
      find(function (v) { return String(v.lang).toLowerCase().replace("_", "-") === home; }) ||
      find(function (v) { return v.localService; }) || mine[0];
  }

  function clean(text) { return String(text || "").replace(/\s+/g, " ").trim(); }
  function shown(el) { return el.getClientRects().length > 0; }
  function sentence(text) { text = clean(text); return /[.!?:]$/.test(text) ? text : text + "."; }
  // What a question says: its text (and a sentence the server or survey.js put with it), then
  // its answers, one sentence each (a label may hold a comma: "Niet eens, niet oneens").
  function questionText(group) {
    var parts = [];
    var legend = group.querySelector("legend");
    if (legend) { parts.push(sentence(legend.textContent)); }
    [].forEach.call(group.querySelectorAll(".error"), function (note) {
      if (shown(note)) { parts.push(sentence(note.textContent)); }
    });
    var answers = [].map.call(group.querySelectorAll("label"), function (label) {
      return sentence(label.textContent);
    }).filter(function (text) { return text !== "."; });
    if (answers.length) { parts.push(words("choices")); parts = parts.concat(answers); }
    return parts.join(" ");
  }
  function questions() { return [].slice.call(root.querySelectorAll("fieldset.item")); }
  // The whole page in reading order, from the heading on: its text blocks, and each question as
  // one piece (what sits before the heading — the progress line — and the buttons are left out).
  function pageParts() {
    var heading = root.querySelector("h1");
    var taken = [];
    var parts = [];
    var blocks = root.querySelectorAll("h1, h2, h3, p, li, .flash, fieldset.item");
    [].forEach.call(blocks, function (el) {
      if (heading && el !== heading &&
          !(heading.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING)) { return; }
      if (taken.some(function (t) { return t.contains(el); })) { return; }
      if (el.closest(".read-aloud-bar, .actions") || !shown(el)) { return; }
      taken.push(el);
      if (el.matches("fieldset.item")) {
        var n = questions().indexOf(el) + 1;
        parts.push({ text: sentence(words("question", n)) + " " + questionText(el), group: el });
      } else if (clean(el.textContent)) {
        parts.push({ text: clean(el.textContent), group: null });
      }
    });
    return parts;
  }

  var current = null;  // the button whose reading is going on
  var run = 0;         // a reading's number: events of an older one change nothing
  function label(button, reading) {
    var text = button.querySelector(".read-aloud-text");
    text.textContent = reading ? words("stop-label") : button.getAttribute("data-label");
    var name = reading ? words("stop-name") : button.getAttribute("data-name");
    if (name && name !== text.textContent) { button.setAttribute("aria-label", name); }
    else { button.removeAttribute("aria-label"); }
    button.classList.toggle("is-reading", reading);
  }
  function highlight(group) {
    [].forEach.call(root.querySelectorAll(".is-read-aloud"), function (el) {
      el.classList.remove("is-read-aloud");
    });
    if (group) { group.classList.add("is-read-aloud"); }
  }
  function stop() {
    run += 1;
    if (current) { label(current, false); }
    current = null;
    highlight(null);
    try { synth.cancel(); } catch (e) { /* nothing to stop */ }
  }
  function speak(button, parts) {
    var voice = voiceFor();
    stop();
    if (!voice || !parts.length) { return; }
    var mine = run;
    current = button;
    label(button, true);
    parts.forEach(function (part, index) {
      var utterance = new window.SpeechSynthesisUtterance(part.text);
      utterance.voice = voice;
      utterance.lang = voice.lang || lang;
      utterance.rate = 0.9;  // a little slower than usual: for those who read along
      utterance.onstart = function () { if (mine === run) { highlight(part.group); } };
      if (index === parts.length - 1) {
        utterance.onend = utterance.onerror = function () {
          if (mine !== run) { return; }
          label(button, false);
          current = null;
          highlight(null);
        };
      }
      synth.speak(utterance);
    });
  }

  function icon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "read-aloud-icon");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M3 9v6h4l5 4V5L7 9H3zm13.5 3a4.5 4.5 0 0 0-2.5-4v8a4.5 4.5 0 0 0 2.5-4zM14 3.2v2.1a7 7 0 0 1 0 13.4v2.1a9 9 0 0 0 0-17.6z");
    svg.appendChild(path);
    return svg;
  }
  function button(text, name, parts) {
    var el = document.createElement("button");
    el.type = "button";
    el.className = "read-aloud";
    el.setAttribute("data-label", text);
    if (name) { el.setAttribute("data-name", name); }
    var span = document.createElement("span");
    span.className = "read-aloud-text";
    el.appendChild(icon());
    el.appendChild(span);
    label(el, false);
    el.addEventListener("click", function () {
      if (current === el) { stop(); return; }  // a second press stops
      speak(el, parts());
    });
    return el;
  }

  // The buttons: one for the page after the heading, one in each question (after its text, before
  // its answers). Again where a question came without one (survey.js may put in a new form).
  function enhance() {
    if (!root.querySelector(".read-aloud-bar")) {
      var bar = document.createElement("div");
      bar.className = "read-aloud-bar";
      bar.appendChild(button(words("read-all-label"), null, pageParts));
      var heading = root.querySelector("h1");
      if (heading) { heading.parentNode.insertBefore(bar, heading.nextSibling); }
      else { root.insertBefore(bar, root.firstChild); }
    }
    questions().forEach(function (group, index) {
      if (group.querySelector(".read-aloud")) { return; }
      var name = words("read-question-name", index + 1);
      var el = button(words("read-label"), name, function () {
        return [{ text: questionText(group), group: group }];
      });
      var answers = group.querySelector(".scale");
      group.insertBefore(el, answers || null);
    });
  }

  var started = false;
  function start() {
    if (started || !voiceFor()) { return; }
    started = true;
    enhance();
    if (window.MutationObserver) {
      new MutationObserver(function () {
        if (current && !root.contains(current)) { stop(); }
        enhance();
      }).observe(root, { childList: true, subtree: true });
    }
    // Leaving the page (a link, a save): the voice stops with it.
    window.addEventListener("pagehide", stop);
    root.addEventListener("submit", stop);
  }
  start();
  // Voices often come a moment later (Chrome): wait for them; some browsers never say so.
  if (!started) {
    if (typeof synth.addEventListener === "function") {
      synth.addEventListener("voiceschanged", start);
    } else {
      synth.onvoiceschanged = start;
    }
    setTimeout(start, 1000);
  }
})();
