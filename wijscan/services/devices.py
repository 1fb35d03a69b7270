"""A device as a person recognises it ("Firefox op Windows"), from the browser's User-Agent."""

from __future__ import annotations

from functools import lru_cache

from flask_babel import gettext as _
from ua_parser import parse


@lru_cache(maxsize=256)
def _parts(user_agent: str) -> tuple[str, str, str]:
    result = parse(user_agent)
    browser = result.user_agent.family if result.user_agent else ""
    system = result.os.family if result.os else ""
    device = result.device.family if result.device else ""
    return (
        "" if browser == "Other" else browser,
        "" if system == "Other" else system,
        "" if device in {"Other", "Mac", "K"} or device.startswith("Generic") else device,
    )


def device_label(user_agent: str) -> str:
    """``"Chrome op Windows"``, ``"Mobile Safari op iOS (iPhone)"``; ``"Onbekend apparaat"``
    when the browser did not say."""
    browser, system, device = _parts(user_agent or "")
    if browser and system:
        label = _("%(browser)s op %(system)s", browser=browser, system=system)
    else:
        label = browser or system or _("Onbekend apparaat")
    return f"{label} ({device})" if device and device not in label else label
