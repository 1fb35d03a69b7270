"""The content (pyramid, instruments, lesbrieven) of this installation, loaded once at start-up."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from wijscan.content import Content, ContentError, load_content


class ContentLoadError(RuntimeError):
    """The app cannot start: a content file is broken. The message lists every problem."""


def init_app(app: Flask) -> None:
    root = Path(app.config["CONTENT_ROOT"])
    try:
        app.extensions["wijscan_content"] = load_content(root)
    except ContentError as error:
        raise ContentLoadError(
            f"WIJscan cannot start: the content in {root} has problems.\n{error}\n"
            "Run `wijscan check-content` for the full report."
        ) from None


def get_content() -> Content:
    return current_app.extensions["wijscan_content"]
