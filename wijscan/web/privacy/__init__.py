"""Privacy operations: retention and school settings, a student's data (export, erasure), the
audit log, and the privacy page for students. One blueprint, a module per part."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("privacy", __name__)


def load_views() -> None:
    """Import the modules that add their views to ``bp`` (each part in its own module)."""
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
