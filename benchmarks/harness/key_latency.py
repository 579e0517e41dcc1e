"""Key presses timed to the frame that shows their effect, and their statistics."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .pty_terminal import Terminal
from .screen import info_digest


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)]


@dataclass
class KeyStats:
    """Latencies of single key presses, in milliseconds: to the cursor, to the info line."""

    cursor: list[float] = field(default_factory=list)
    info: list[float] = field(default_factory=list)
    sent: list[float] = field(default_factory=list)  # seconds after the final enter
    timeouts: int = 0

    def add(self, latencies: tuple[float | None, ...], timeout: float, sent: float) -> None:
        """One press; an unanswered one counts as the whole timeout."""
        cursor, info = latencies
        if cursor is None or info is None:
            self.timeouts += 1
        self.cursor.append(timeout * 1000 if cursor is None else cursor)
        self.info.append(timeout * 1000 if info is None else info)
        self.sent.append(sent)

    def summary(self) -> dict[str, Any]:
        """Count, then p50, p99 and max of both; every press for a closer look."""
        out: dict[str, Any] = {"count": len(self.cursor), "timeouts": self.timeouts}
        for name, samples in (("cursor", self.cursor), ("info", self.info)):
            out[f"{name}_p50_ms"] = _round(percentile(samples, 0.50))
            out[f"{name}_p99_ms"] = _round(percentile(samples, 0.99))
            out[f"{name}_max_ms"] = _round(max(samples, default=0.0))
        out["presses"] = [
            [round(at, 3), _round(cursor), _round(info)]
            for at, cursor, info in zip(self.sent, self.cursor, self.info, strict=True)
        ]
        return out


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def press_and_time(term: Terminal, key: bytes, timeout: float) -> tuple[float | None, ...]:
    """Press `key` in the images table; ms until the cursor and the info line show the move.

    The cursor is the images row drawn in the cursor colour; the info line is the
    highlighted image's digest under the table. None: not within `timeout`.
    """
    # Take in what the app drew before the key first: a chunk left unread would
    # otherwise count as the key's answer (or hide it).
    while term.pump(0) is not None:
        pass
    cursor_before = term.highlighted_row("Images")
    info_before = info_digest(term.lines)
    sent = term.send(key)
    cursor_at: float | None = None
    info_at: float | None = None
    deadline = sent + timeout
    while cursor_at is None or info_at is None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        arrived = term.pump(min(remaining, 0.25))
        if arrived is None or arrived < sent:
            continue
        if cursor_at is None and term.highlighted_row("Images") not in (None, cursor_before):
            cursor_at = arrived
        if info_at is None and info_digest(term.lines) not in (None, info_before):
            info_at = arrived
    return tuple(None if t is None else (t - sent) * 1000 for t in (cursor_at, info_at))
