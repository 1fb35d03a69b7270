"""The questionnaire with the keyboard alone, as a screen reader reads it: a student types the
code, starts, answers every question of every page with Tab, Shift+Tab, the arrow keys and
Space, goes on with Enter, and ends on the thank-you page, with every answer stored and the
responses final. Each question is a fieldset named by its legend (the question, in order); the
progress is a named bar and a live line; going on from a page with no answer names the questions
in an error summary (role=alert) that takes the focus and links to the first one; an answer the
server refused is named at the top and at its question (aria-invalid, aria-describedby)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.e2e.test_read_aloud import DUTCH, _stub
from wijscan.models import Answer, Response, ResponseStatus
from wijscan.services import survey as survey_service

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}

#: The focused element, described: its tag, type, name, value, text, aria-label and the index of
#: the question (fieldset.item) it is in.
FOCUSED = """() => {
  const el = document.activeElement;
  const groups = [...document.querySelectorAll('fieldset.item')];
  return {
    tag: el.tagName.toLowerCase(), type: el.type || null, name: el.name || null,
    value: el.value || null, text: (el.innerText || '').trim(),
    label: el.getAttribute('aria-label'), checked: !!el.checked,
    group: groups.indexOf(el.closest('fieldset.item')),
    alert: el.getAttribute('role') === 'alert',
  };
}"""


@pytest.fixture
def world(app, student_scan):
    opened = student_scan()
    content = app.extensions["wijscan_content"]
    return {
        "code": opened.code,
        "pages": survey_service.pages_for(opened.scan.instruments, content),
    }


def _focused(page) -> dict:
    return page.evaluate(FOCUSED)


def _tab_to(page, wanted, key="Tab", limit=60) -> dict:
    """Press Tab (or Shift+Tab) until the focused element is what ``wanted`` says."""
    for _ in range(limit):
        page.keyboard.press(key)
        focused = _focused(page)
        if wanted(focused):
            return focused
    raise AssertionError(f"{key} never reached it; last: {focused}")


def _check_structure(page, questions) -> None:
    """Every question a fieldset whose legend is its text, in order, named so as a group."""
    assert page.locator("fieldset.item").count() == len(questions)
    legends = page.evaluate(
        """() => [...document.querySelectorAll('fieldset.item')].map(f =>
            f.firstElementChild.tagName === 'LEGEND' ? f.firstElementChild.innerText : null)"""
    )
    assert legends == questions
    for question in questions:
        group = page.get_by_role("group", name=question, exact=True)
        assert group.count() == 1
        assert group.get_by_role("radio").count() == 5


def _check_progress(page, number, total) -> None:
    line = page.locator("#survey-progress")
    assert line.get_attribute("aria-live") == "polite"
    assert line.inner_text().startswith(f"Pagina {number} van {total}")
    bar = page.get_by_role("progressbar", name="Voortgang")
    assert bar.get_attribute("aria-valuetext") == f"Pagina {number} van {total}"
    assert bar.get_attribute("value") == str(number)


def _answer(page, group: int, value: int) -> str:
    """Tab into question ``group`` (0-based) and choose answer ``value`` (1..5): Space for the
    first, the arrow keys for the others. Returns the question's item id."""
    focused = _tab_to(page, lambda f: f["type"] == "radio" and f["group"] == group)
    assert focused["value"] == "1"
    assert not focused["checked"]
    if value == 1:
        page.keyboard.press("Space")
    else:
        for _ in range(value - 1):
            page.keyboard.press("ArrowDown" if value % 2 else "ArrowRight")
    focused = _focused(page)
    assert focused["checked"], focused
    assert focused["value"] == str(value), focused
    return focused["name"]


def _go_on(page, name: str) -> None:
    _tab_to(page, lambda f: f["tag"] == "button" and f["text"] == name)
    page.keyboard.press("Enter")


def _missing_summary(page, first_question: str) -> None:
    """Going on from page 1 with no answer: the summary takes the focus and names the questions;
    its link leads to the first question's first answer."""
    _go_on(page, "Volgende")
    summary = page.get_by_role("alert").filter(has_text="nog geen vraag beantwoord")
    summary.wait_for()
    assert _focused(page)["alert"]
    assert f"Vraag 1: {first_question}" in summary.inner_text()
    assert page.get_by_text("Pagina 1 van 12").is_visible()  # still here
    first = page.locator("fieldset.item").first
    radio = first.get_by_role("radio").first
    assert radio.get_attribute("aria-invalid") == "true"
    note = page.locator(f"#{radio.get_attribute('aria-describedby')}")
    assert note.inner_text() == "Deze vraag heeft nog geen antwoord."
    assert first.locator(".error").count() == 1
    page.keyboard.press("Tab")
    assert _focused(page)["text"] == f"Vraag 1: {first_question}"
    page.keyboard.press("Enter")
    focused = _focused(page)
    assert (focused["type"], focused["group"], focused["value"]) == ("radio", 0, "1")
    page.keyboard.press("Shift+Tab")  # back before the question, so _answer tabs into it


@pytest.mark.parametrize("speech", [False, True], ids=["plain", "with-read-aloud"])
def test_the_whole_questionnaire_with_the_keyboard_alone(live_server, browser, world, db, speech):
    context = browser.new_context(**PHONE)
    if speech:  # the read-aloud buttons are in the Tab order too
        context.add_init_script(_stub(DUTCH))
    page = context.new_page()
    pages = world["pages"]
    total = len(pages)
    page.goto(f"{live_server}/s")
    _tab_to(page, lambda f: f["tag"] == "input" and f["name"] == "code")
    page.keyboard.type(world["code"])
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Voordat je begint").wait_for()
    _go_on(page, "Beginnen")

    chosen: dict[str, int] = {}
    for number, survey_page in enumerate(pages, 1):
        page.get_by_text(f"Pagina {number} van {total}").wait_for()
        questions = [item.text.nl for item in survey_page.items]
        _check_structure(page, questions)
        _check_progress(page, number, total)
        if speech:
            assert page.locator("button.read-aloud").count() == len(questions) + 1
        if number == 1:
            _missing_summary(page, questions[0])
        for group in range(len(questions)):
            value = (number + group) % 5 + 1
            chosen[_answer(page, group, value)] = value
        if number == 1:  # the reminder went when the question got its answer
            assert page.locator("fieldset.item .error").count() == 0
            assert page.locator("[aria-invalid]").count() == 0
        last = "Klaar, versturen" if number == total else "Volgende"
        _tab_to(page, lambda f, last=last: f["tag"] == "button" and f["text"] == last)
        # Shift+Tab goes back to the last question's chosen answer.
        focused = _tab_to(page, lambda f: f["type"] == "radio", key="Shift+Tab")
        assert focused["checked"]
        assert focused["group"] == len(questions) - 1
        _go_on(page, last)
        if number < total and pages[number].instrument.id != survey_page.instrument.id:
            page.get_by_role("heading", name="Nu gaan de vragen over jou").wait_for()
            _tab_to(page, lambda f: f["tag"] == "a" and f["text"] == "Verder")
            page.keyboard.press("Enter")
    page.get_by_role("heading", name="Klaar, dank je wel!").wait_for()
    context.close()

    db.session.commit()  # a fresh look at what the server stored
    every_item = {item.id for survey_page in pages for item in survey_page.items}
    assert set(chosen) == every_item
    stored = dict(db.session.execute(select(Answer.item_id, Answer.value)).all())
    assert stored == chosen
    statuses = db.session.scalars(select(Response.status)).all()
    assert len(statuses) == 2  # klas and individu
    assert set(statuses) == {ResponseStatus.FINAL}


@pytest.mark.parametrize("javascript", [True, False], ids=["script", "no-script"])
def test_a_refused_answer_is_named_at_the_top_and_at_its_question(
    live_server, browser, world, javascript
):
    context = browser.new_context(**PHONE, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(f"{live_server}/s/{world['code']}")
    _go_on(page, "Beginnen")
    page.get_by_text("Pagina 1 van 12").wait_for()
    questions = [item.text.nl for item in world["pages"][0].items]
    for group in range(len(questions)):
        _answer(page, group, 3)
    # An answer off the scale (a page changed by hand): the server refuses the page.
    if javascript:
        page.evaluate(
            "() => { document.querySelectorAll('fieldset.item')[1]"
            ".querySelector(':checked').value = '9'; }"
        )
    else:  # no script to change it with: post it as the browser would
        item = world["pages"][0].items[1].id
        page.route(
            "**/s/*/1",
            lambda route: route.continue_(
                post_data=route.request.post_data.replace(f"{item}=3", f"{item}=9")
            ),
        )
    _go_on(page, "Volgende")
    summary = page.get_by_role("alert").filter(has_text="Er ging iets mis met een antwoord.")
    summary.wait_for()
    page.wait_for_function("() => document.activeElement.matches('[data-error-summary]')")
    assert f"Vraag 2: {questions[1]}" in summary.inner_text()
    second = page.locator("fieldset.item").nth(1)
    for radio in second.get_by_role("radio").all():
        assert radio.get_attribute("aria-invalid") == "true"
        note = page.locator(f"#{radio.get_attribute('aria-describedby')}")
        assert note.inner_text() == "Kies bij deze vraag een van de antwoorden."
    assert page.locator("[aria-invalid]").count() == 5  # that question only
    page.keyboard.press("Tab")
    assert _focused(page)["text"] == f"Vraag 2: {questions[1]}"
    page.keyboard.press("Enter")
    focused = _focused(page)
    assert focused["type"] == "radio"
    assert focused["group"] == 1
    context.close()


def test_enter_on_an_answer_chooses_it_and_stays_on_the_page(live_server, browser, world, db):
    """Chrome sends a form with its first button at Enter in a radio: on page 2 that is "Vorige".
    survey.js makes Enter choose the answer instead, and the page stays."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{live_server}/s/{world['code']}")
    _go_on(page, "Beginnen")
    page.get_by_text("Pagina 1 van 12").wait_for()
    for group in range(len(world["pages"][0].items)):
        _answer(page, group, 3)
    _go_on(page, "Volgende")
    page.get_by_text("Pagina 2 van 12").wait_for()
    for group in (0, 1):
        focused = _tab_to(page, lambda f, group=group: f["type"] == "radio" and f["group"] == group)
        assert not focused["checked"]
        page.keyboard.press("Enter")  # chooses the focused answer
        focused = _focused(page)
        assert focused["checked"]
        assert focused["value"] == "1"
        assert focused["group"] == group
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")  # on a chosen answer: nothing happens
    page.wait_for_timeout(800)  # time for a page to go, if it went
    assert page.get_by_text("Pagina 2 van 12").is_visible()
    assert page.locator("input[type=radio]:checked").evaluate_all(
        "els => els.map(e => e.value)"
    ) == [
        "2",
        "2",
    ]
    context.close()
