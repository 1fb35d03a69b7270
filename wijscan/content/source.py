"""Reading content files with line numbers, and turning schema errors into Problems.

A file is parsed once with PyYAML's composer, so that every value keeps the line it came from;
:meth:`Source.line` maps a path inside the document (a pydantic error ``loc``) to that line.
"""

from __future__ import annotations

import datetime
import difflib
import types
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from wijscan.content.problems import Problem

Loc = Sequence[str | int]

#: Error types whose message we write ourselves (see models.py); shown as they are.
_OWN_ERRORS = {"blank", "ident", "level_range", "cap_range", "grade_range"}


def format_path(loc: Loc) -> str:
    """``("themes", 2, "items", 0, "id")`` → ``"themes[2].items[0].id"``."""
    out = ""
    for part in loc:
        if part == "[key]":
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass
class Source:
    """One parsed YAML document: its data, its node tree and how to find lines in it."""

    file: str
    data: Any
    node: yaml.Node | None
    #: Added to every line: the front matter of a lesbrief starts on line 2 of its file.
    line_offset: int = 0

    def line(self, loc: Loc) -> int | None:
        """The line of the value at ``loc``, or of the deepest part of it that exists."""
        cur = self.node
        if cur is None:
            return None
        line = cur.start_mark.line + 1
        for part in loc:
            if part == "[key]":
                break
            if isinstance(cur, yaml.MappingNode):
                found = None
                for key, value in cur.value:
                    if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                        found = (key, value)
                if found is None:
                    break
                line = found[0].start_mark.line + 1
                cur = found[1]
            elif isinstance(cur, yaml.SequenceNode) and isinstance(part, int):
                if not 0 <= part < len(cur.value):
                    break
                cur = cur.value[part]
                line = cur.start_mark.line + 1
            else:
                break
        return line + self.line_offset

    def problem(self, loc: Loc, message: str) -> Problem:
        return Problem(self.file, self.line(loc), format_path(loc), message)


def read_text(path: Path, file: str) -> tuple[str | None, list[Problem]]:
    """The text of a file, or the problem that stopped us reading it."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, [Problem(file, None, "", "file not found")]
    except OSError as exc:
        return None, [Problem(file, None, "", f"cannot read the file: {exc.strerror or exc}")]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(file, line, "", "the file is not UTF-8 text")]


def parse_yaml(text: str, file: str, line_offset: int = 0) -> tuple[Source | None, list[Problem]]:
    """Parse one YAML document; on a syntax error return None and the problem with its line."""
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark is not None else None
        what = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            what = f"{exc.problem} ({exc.context})"
        return None, [Problem(file, line, "", f"YAML syntax error: {what}")]
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1 + line_offset
        char = exc.character
        shown = f"U+{ord(char):04X}" if isinstance(char, str) else f"U+{char:04X}"
        return None, [
            Problem(file, line, "", f"YAML syntax error: the character {shown} is not allowed")
        ]
    except yaml.YAMLError as exc:
        return None, [Problem(file, None, "", f"YAML syntax error: {exc}")]
    except RecursionError:
        return None, [
            Problem(file, None, "", "YAML syntax error: the document is nested too deeply")
        ]
    except (ValueError, TypeError, OverflowError) as exc:
        # PyYAML builds dates and numbers itself; "2024-13-45" raises ValueError.
        return None, [Problem(file, None, "", f"YAML value error: {exc}")]
    source = Source(file, data, node, line_offset)
    return source, _duplicate_keys(source)


def _duplicate_keys(source: Source) -> list[Problem]:
    """PyYAML silently keeps the last of two equal keys; an author wants to hear about it."""
    problems: list[Problem] = []
    if source.node is None:
        return problems
    seen_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, tuple[str | int, ...]]] = [(source.node, ())]
    while stack:
        node, loc = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value != "<<":
                    line = key.start_mark.line + 1 + source.line_offset
                    if key.value in first:
                        problems.append(
                            Problem(
                                source.file,
                                line,
                                format_path((*loc, key.value)),
                                f"duplicate key '{key.value}' (first on line {first[key.value]})",
                            )
                        )
                    else:
                        first[key.value] = line
                    stack.append((value, (*loc, key.value)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, (*loc, i)) for i, child in enumerate(node.value))
    return problems


def validate(
    model: type[BaseModel], source: Source, data: Any = None
) -> tuple[Any | None, list[Problem]]:
    """Validate ``data`` (default: the whole document) against ``model``."""
    try:
        return model.model_validate(source.data if data is None else data), []
    except ValidationError as exc:
        return None, [
            source.problem(err["loc"], _message(err, model))
            for err in exc.errors(include_url=False)
        ]
    except RecursionError:
        return None, [source.problem((), "the document refers to itself (YAML alias loop)")]


def show(value: Any) -> str:
    """A short, YAML-flavoured rendering of a value for a message."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _message(err: Any, model: type[BaseModel]) -> str:
    kind = err["type"]
    loc = tuple(err["loc"])
    value = err.get("input")
    if kind in _OWN_ERRORS:
        return err["msg"]
    if kind == "missing":
        if loc and loc[-1] == "nl":
            return "missing the Dutch text (nl)"
        if loc and loc[-1] == "en":
            return "missing translation: no English text (en)"
        return "required key is missing"
    if kind == "extra_forbidden":
        key = str(loc[-1])
        message = f"unknown key '{key}'"
        allowed = _keys_at(model, loc[:-1])
        if allowed:
            close = difflib.get_close_matches(key, allowed, n=1)
            if close:
                message += f"; did you mean '{close[0]}'?"
            message += f" (allowed: {', '.join(allowed)})"
        return message
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        if not loc and value is None:
            return "the file is empty"
        return f"should be a mapping (key: value), got {show(value)}"
    if kind == "too_short":
        ctx = err.get("ctx") or {}
        return f"should have at least {ctx.get('min_length', 1)} entry, got none"
    message = str(err["msg"])
    if message.startswith("Input should be "):
        message = "should be " + message[len("Input should be ") :]
    if loc and loc[-1] == "[key]":
        return f"key {show(value)}: {message}"
    message += f", got {show(value)}"
    if kind == "string_type" and isinstance(value, bool | int | float | datetime.date):
        message += " (put the text in quotes)"
    return message


def _strip(tp: Any) -> Any:
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def _keys_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """The keys a mapping at ``loc`` may have, when it is a model; else []."""
    tp: Any = model
    for part in loc:
        tp = _strip(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            fields = {(f.alias or name): f for name, f in tp.model_fields.items()}
            if not isinstance(part, str) or part not in fields:
                return []
            tp = fields[part].annotation
        elif get_origin(tp) is list:
            tp = get_args(tp)[0]
        elif get_origin(tp) is dict:
            tp = get_args(tp)[1]
        else:
            return []
    tp = _strip(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [(f.alias or name) for name, f in tp.model_fields.items()]
    return []
