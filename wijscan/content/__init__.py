"""Content: load and validate surveys/ and lesbrieven/ into typed objects.

Pure Python (pydantic + PyYAML); imports neither Flask nor SQLAlchemy nor the rest of wijscan.
"""

from wijscan.content.check import run_check
from wijscan.content.loader import collect, load_content, load_instrument, load_pyramid
from wijscan.content.lock import LOCK_FILE, fingerprint, update_lock
from wijscan.content.models import (
    Content,
    Critical,
    Instrument,
    InstrumentTheme,
    Intervention,
    Item,
    Lesbrief,
    Level,
    Pyramid,
    Scale,
    Text,
    Theme,
)
from wijscan.content.problems import ContentError, Problem
from wijscan.content.quality import quality_problems

__all__ = [
    "LOCK_FILE",
    "Content",
    "ContentError",
    "Critical",
    "Instrument",
    "InstrumentTheme",
    "Intervention",
    "Item",
    "Lesbrief",
    "Level",
    "Problem",
    "Pyramid",
    "Scale",
    "Text",
    "Theme",
    "collect",
    "fingerprint",
    "load_content",
    "load_instrument",
    "load_pyramid",
    "quality_problems",
    "run_check",
    "update_lock",
]
