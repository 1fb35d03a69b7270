"""Read aloud ("Lees voor") on the questionnaire: read-aloud.js adds a button for the whole page
and one per question, with the browser's own speech in the page's language. The speech is a
stub here (Chromium in a test has no voices): it records what it was asked to say. Without a
voice for the page's language, or without JavaScript, the page has no such buttons and works as
before. Screenshots go to test-results/ (look at them)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

RESULTS = Path("test-results")
SCREENS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "laptop": {"viewport": {"width": 1366, "height": 768}},
}
ANSWERS = ["Helemaal mee oneens", "Mee oneens", "Niet eens, niet oneens", "Mee eens"]
DUTCH = [{"name": "Ellen", "lang": "nl-NL", "default": False, "localService": True}]
ENGLISH = [{"name": "Daniel", "lang": "en-GB", "default": True, "localService": True}]

#: A stand-in for the browser's speech: getVoices() gives ``voices`` (after a moment with
#: ``late``, announced by voiceschanged), speak() records the utterance on window.spoken and
#: keeps "speaking" until window.finishSpeaking() (or cancel()).
STUB = """
(([voices, late]) => {
  const listeners = [];
  let ready = !late;
  window.spoken = [];
  window.cancels = 0;
  let queue = [];
  const synth = {
    speaking: false, pending: false, paused: false, onvoiceschanged: null,
    getVoices: () => (ready ? voices : []),
    speak(u) {
      window.spoken.push({ text: u.text, lang: u.lang, voice: u.voice && u.voice.lang });
      queue.push(u);
      synth.speaking = true;
      if (u.onstart) u.onstart();
    },
    cancel() {
      window.cancels += 1;
      const was = queue; queue = []; synth.speaking = false;
      was.forEach(u => u.onerror && u.onerror({ error: "canceled" }));
    },
    pause() {}, resume() {},
    addEventListener(type, f) { if (type === "voiceschanged") listeners.push(f); },
    removeEventListener() {},
  };
  window.finishSpeaking = () => {
    const was = queue; queue = []; synth.speaking = false;
    was.forEach(u => u.onend && u.onend({}));
  };
  Object.defineProperty(window, "speechSynthesis", { value: synth, configurable: true });
  window.SpeechSynthesisUtterance = function (text) {
    this.text = text; this.lang = ""; this.voice = null; this.rate = 1;
  };
  if (late) setTimeout(() => {
    ready = true;
    listeners.forEach(f => f(new Event("voiceschanged")));
    if (synth.onvoiceschanged) synth.onvoiceschanged(new Event("voiceschanged"));
  }, 300);
})
"""


def _stub(voices, late=False) -> str:
    return f"({STUB})({json.dumps([voices, late])});"


def _context(browser, voices=DUTCH, late=False, screen="laptop", **kwargs):
    context = browser.new_context(**SCREENS[screen], **kwargs)
    if voices is not None:
        context.add_init_script(_stub(voices, late))
    return context


def _first_page(page, live_server, code):
    page.goto(f"{live_server}/s/{code}")
    page.get_by_role("button", name="Beginnen").click()
    page.get_by_text("Pagina 1 van 12").wait_for()


def _spoken(page) -> list[dict]:
    return page.evaluate("() => window.spoken")


def _legends(page) -> list[str]:
    return page.locator("fieldset.item legend").all_inner_texts()


def test_a_button_per_question_reads_it_with_its_answers_in_dutch(live_server, browser, code):
    context = _context(browser)
    page = context.new_page()
    _first_page(page, live_server, code)
    legends = _legends(page)
    assert len(legends) >= 3

    # One button for the page, one in each question, named for what they read.
    whole = page.get_by_role("button", name="Lees alles voor", exact=True)
    whole.wait_for()
    for n in range(1, len(legends) + 1):
        group = page.locator("fieldset.item").nth(n - 1)
        button = group.get_by_role("button", name=f"Lees voor: vraag {n}", exact=True)
        assert button.count() == 1
        assert button.inner_text().strip() == "Lees voor"
        assert button.get_attribute("type") == "button"
    assert page.locator("button.read-aloud").count() == len(legends) + 1
    # Big enough to tap.
    for box in page.locator("button.read-aloud").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect()).map(r => [r.width, r.height])"
    ):
        assert box[0] >= 44, box
        assert box[1] >= 44, box

    # Reachable with Tab: after the page's button comes the first question's, then its answers.
    whole.focus()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.getAttribute('aria-label')") == (
        "Lees voor: vraag 1"
    )
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.type") == "radio"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.getAttribute('aria-label')") == (
        "Lees voor: vraag 2"
    )

    # Enter on it reads question 2: its text, then the answers, in Dutch.
    page.keyboard.press("Enter")
    spoken = _spoken(page)
    assert len(spoken) == 1
    text = spoken[0]["text"]
    assert text.startswith(legends[1])
    assert legends[0] not in text
    positions = [text.index(answer + ".") for answer in ANSWERS]
    assert positions == sorted(positions)  # the answers in their order
    assert "Helemaal mee eens." in text
    assert spoken[0]["lang"] == "nl-NL"
    assert spoken[0]["voice"] == "nl-NL"
    # While it reads, the same button stops it.
    stop = page.get_by_role("button", name="Stop met voorlezen")
    assert stop.count() == 1
    assert stop.inner_text().strip() == "Stop"
    assert page.locator("fieldset.item.is-read-aloud").count() == 1
    cancels = page.evaluate("() => window.cancels")
    page.keyboard.press("Space")
    assert page.evaluate("() => window.cancels") == cancels + 1
    assert len(_spoken(page)) == 1
    assert page.get_by_role("button", name="Stop met voorlezen").count() == 0
    assert page.get_by_role("button", name="Lees voor: vraag 2").count() == 1
    assert page.locator(".is-read-aloud").count() == 0

    # Reading to the end puts the button back by itself.
    page.get_by_role("button", name="Lees voor: vraag 3").click()
    page.evaluate("() => window.finishSpeaking()")
    assert page.get_by_role("button", name="Lees voor: vraag 3").inner_text().strip() == (
        "Lees voor"
    )
    context.close()


def test_the_page_button_reads_the_heading_then_every_question_in_order(live_server, browser, code):
    context = _context(browser)
    page = context.new_page()
    _first_page(page, live_server, code)
    legends = _legends(page)
    heading = page.get_by_role("heading", level=1).inner_text()
    page.get_by_role("button", name="Lees alles voor").click()
    spoken = _spoken(page)
    assert spoken[0]["text"] == heading
    questions = spoken[1:]
    assert len(questions) == len(legends)
    for n, (said, legend) in enumerate(zip(questions, legends, strict=True), 1):
        assert said["text"].startswith(f"Vraag {n}. {legend}")
        assert "Mee oneens." in said["text"]
        assert said["lang"] == "nl-NL"
    # Pressing another button while it reads: that one reads instead.
    page.get_by_role("button", name="Stop met voorlezen").wait_for()
    page.get_by_role("button", name="Lees voor: vraag 1").click()
    assert _spoken(page)[-1]["text"].startswith(legends[0])
    assert page.get_by_role("button", name="Lees alles voor").count() == 1
    # The screenshots: the buttons beside the questions.
    RESULTS.mkdir(exist_ok=True)
    page.evaluate("() => window.finishSpeaking()")
    page.screenshot(path=str(RESULTS / "read-aloud-laptop.png"), full_page=True)
    context.close()


def test_the_buttons_look_tidy_on_a_phone(live_server, browser, code):
    RESULTS.mkdir(exist_ok=True)
    context = _context(browser, screen="phone")
    page = context.new_page()
    _first_page(page, live_server, code)
    page.get_by_role("button", name="Lees alles voor").wait_for()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390  # nothing sticks out sideways
    page.get_by_role("button", name="Lees voor: vraag 1").focus()
    page.screenshot(path=str(RESULTS / "read-aloud-phone.png"), full_page=True)
    context.close()


def test_the_intro_is_read_aloud_too(live_server, browser, code):
    context = _context(browser, late=True)  # the voices come a moment later
    page = context.new_page()
    page.goto(f"{live_server}/s/{code}")
    button = page.get_by_role("button", name="Lees alles voor")
    button.wait_for()
    assert page.locator("button.read-aloud").count() == 1  # no questions here
    button.click()
    spoken = [said["text"] for said in _spoken(page)]
    assert spoken[0] == "Voordat je begint"
    assert any(text.startswith("Je krijgt vragen over je klas") for text in spoken)
    assert any(text.startswith("Er zijn geen goede of foute antwoorden") for text in spoken)
    assert "Beginnen" not in spoken  # the button to start is no text to read
    assert {said["lang"] for said in _spoken(page)} == {"nl-NL"}
    # Going on stops the voice and still works.
    page.get_by_role("button", name="Beginnen").click()
    page.get_by_text("Pagina 1 van 12").wait_for()
    context.close()


def test_the_english_page_reads_in_english(live_server, browser, code):
    context = _context(browser, voices=DUTCH + ENGLISH)
    page = context.new_page()
    page.goto(f"{live_server}/s/{code}?taal=en")
    assert page.evaluate("() => document.documentElement.lang") == "en"
    page.locator("form button[type=submit]").click()
    page.locator("fieldset.item").first.wait_for()
    page.locator("fieldset.item").first.locator("button.read-aloud").click()
    said = _spoken(page)[0]
    assert said["lang"] == "en-GB"
    assert said["text"].startswith(_legends(page)[0])
    assert "Strongly disagree." in said["text"]
    context.close()


@pytest.mark.parametrize(
    "voices",
    [[], [{"name": "Daniel", "lang": "en-GB", "default": True, "localService": True}]],
    ids=["no-voices", "no-dutch-voice"],
)
def test_no_voice_for_the_language_no_buttons(live_server, browser, code, voices):
    context = _context(browser, voices=voices, late=True)
    page = context.new_page()
    _first_page(page, live_server, code)
    page.wait_for_timeout(1300)  # after voiceschanged and the late look
    assert page.locator("button.read-aloud").count() == 0
    assert page.get_by_role("button", name=re.compile("Lees")).count() == 0
    context.close()


def test_no_speech_at_all_no_buttons(live_server, browser, code):
    context = _context(browser, voices=None)
    context.add_init_script("Object.defineProperty(window, 'speechSynthesis', {value: undefined});")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    _first_page(page, live_server, code)
    page.wait_for_timeout(1200)
    assert page.locator("button.read-aloud").count() == 0
    assert errors == []
    context.close()


def test_without_javascript_nothing_changes_and_the_page_works(live_server, browser, code):
    context = _context(browser, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/s/{code}")
    assert page.locator("button.read-aloud").count() == 0
    page.get_by_role("button", name="Beginnen").click()
    page.get_by_text("Pagina 1 van 12").wait_for()
    assert page.locator("button.read-aloud, .read-aloud-bar").count() == 0
    assert page.get_by_role("button", name=re.compile("Lees")).count() == 0
    for group in page.locator("fieldset.item").all():
        group.get_by_label("Mee eens", exact=True).check()
    page.get_by_role("button", name="Volgende").click()
    page.get_by_text("Pagina 2 van 12").wait_for()
    context.close()
