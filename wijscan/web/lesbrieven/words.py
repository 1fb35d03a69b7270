"""Matching's reasons and empty results in words a mentor understands, and lesbrief Markdown."""

from __future__ import annotations

import functools

from flask_babel import get_locale
from flask_babel import gettext as _
from markdown_it import MarkdownIt
from markupsafe import Markup

from wijscan.content import Content
from wijscan.matching import Empty, Reason


def effort_label(effort: str) -> str:
    return {
        "licht": _("licht: een paar uur"),
        "middel": _("middel: enkele weken"),
        "zwaar": _("zwaar: een schooljaar of langer"),
    }.get(effort, effort)


def _lang() -> str:
    return str(get_locale())


def theme_name(content: Content, theme_id: str) -> str:
    try:
        return getattr(content.pyramid.theme(theme_id).name, _lang())
    except KeyError:
        return theme_id


def level_name(content: Content, level: int) -> str:
    return getattr(content.pyramid.level(level).name, _lang())


def group(grade: int | None, stream: str | None) -> str:
    """'havo 2': how a school names a class's year and stream."""
    return f"{stream} {grade}" if stream and grade else (stream or str(grade or ""))


def reason_text(reason: Reason, content: Content) -> str:
    """'Past bij niveau 3 (Wantrouwen) van Democratie, voor havo 2.' plus what else matters."""
    theme, level = theme_name(content, reason.theme), level_name(content, reason.level)
    if reason.grade is not None:
        text = _(
            "Past bij niveau %(n)d (%(level)s) van %(theme)s, voor %(group)s.",
            n=reason.level,
            level=level,
            theme=theme,
            group=group(reason.grade, reason.stream),
        )
    else:
        text = _(
            "Past bij niveau %(n)d (%(level)s) van %(theme)s.",
            n=reason.level,
            level=level,
            theme=theme,
        )
    if reason.exact:
        text += " " + _("Precies voor dit niveau geschreven.")
    if reason.done:
        text += " " + _("De klas kreeg deze les al eerder.")
    return text


def empty_text(empty: Empty, content: Content, *, what: str = "lesbrief") -> str:
    """Why nothing fits, naming the rule that left nothing over."""
    theme = theme_name(content, empty.theme)
    lesbrief = what == "lesbrief"
    if empty.filter == "scope" or empty.filter == "theme":
        if lesbrief:
            return _("Er is nog geen lesbrief voor %(theme)s in de catalogus.", theme=theme)
        return _("Er is nog geen interventie voor %(theme)s in de catalogus.", theme=theme)
    if empty.filter == "level":
        if lesbrief:
            return _(
                "Er is nog geen lesbrief voor niveau %(n)d van %(theme)s.",
                n=empty.level,
                theme=theme,
            )
        return _(
            "Er is nog geen interventie voor niveau %(n)d van %(theme)s.",
            n=empty.level,
            theme=theme,
        )
    if empty.filter == "grade":
        return _(
            "Er zijn lesbrieven voor niveau %(n)d van %(theme)s, maar geen voor leerjaar %(grade)d."
            " Kijk in de catalogus of een les voor een ander leerjaar bruikbaar is.",
            n=empty.level,
            theme=theme,
            grade=empty.grade,
        )
    return _(
        "Er zijn lesbrieven voor niveau %(n)d van %(theme)s in leerjaar %(grade)d, maar geen voor"
        " %(stream)s. Kijk in de catalogus of een les voor een ander niveau bruikbaar is.",
        n=empty.level,
        theme=theme,
        grade=empty.grade,
        stream=empty.stream,
    )


@functools.cache
def _markdown() -> MarkdownIt:
    # CommonMark without raw HTML (it is escaped), plus tables for worksheets.
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    md.core.ruler.push("empty_table_headers", _empty_table_headers)
    return md


def _empty_table_headers(state) -> None:
    """Worksheet tables whose header row is empty (a grid of cards to cut out) get no header
    row at all, and an empty header cell (the corner above a column of numbers) becomes a plain
    cell: a screen reader has no empty column header to announce."""
    tokens, out, i = state.tokens, [], 0
    while i < len(tokens):
        if tokens[i].type != "thead_open":
            out.append(tokens[i])
            i += 1
            continue
        end = next(j for j in range(i, len(tokens)) if tokens[j].type == "thead_close")
        head = tokens[i : end + 1]
        cells = [k for k, t in enumerate(head) if t.type == "inline"]
        blank = [k for k in cells if not head[k].content.strip()]
        if len(blank) < len(cells):
            for k in blank:
                for tag in (head[k - 1], head[k + 1]):
                    tag.type, tag.tag = tag.type.replace("th_", "td_"), "td"
            out.extend(head)
        i = end + 1
    state.tokens = out


@functools.lru_cache(maxsize=256)
def render_markdown(text: str) -> Markup:
    return Markup(_markdown().render(text))  # noqa: S704 - raw HTML is escaped by the renderer
