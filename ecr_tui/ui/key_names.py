"""How keys are written on screen: one notation everywhere (help, key bar, hints, README).

Textual's own names ("question_mark", "pagedown") and its footer's ("^p", "⏎") are
replaced by what the README writes: `ctrl+p`, `enter`, `esc`, `/`, `?`, `PgDn`.
"""

from __future__ import annotations

_NAMES = {
    "slash": "/",
    "question_mark": "?",
    "colon": ":",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "asterisk": "*",
    "escape": "esc",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "home": "Home",
    "end": "End",
}


def key_name(key: str) -> str:
    """One key as the user reads it: `ctrl+l`, `esc`, `/`, `space`."""
    key = key.strip()
    return _NAMES.get(key, key)


def keys_label(keys: str) -> str:
    """A binding's comma-separated keys, each named, separated by spaces."""
    return " ".join(key_name(key) for key in keys.split(","))
