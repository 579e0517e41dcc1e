"""The last notifications, kept so that one gone from the screen can be read again.

A toast disappears after a few seconds, and Textual keeps no history of them; the
command palette's "Notifications" shows this log.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime

# Enough for a session's story; a log, not an archive.
KEPT_NOTIFICATIONS = 50


@dataclass(frozen=True, slots=True)
class LoggedNotification:
    """One notification as it was shown."""

    at: datetime
    severity: str  # "information", "warning" or "error"
    title: str
    message: str


class NotificationLog:
    """The last KEPT_NOTIFICATIONS notifications (appending is thread-safe)."""

    def __init__(self) -> None:
        self._entries: deque[LoggedNotification] = deque(maxlen=KEPT_NOTIFICATIONS)

    def add(self, severity: str, title: str, message: str) -> None:
        """Remember a notification shown now."""
        self._entries.append(LoggedNotification(datetime.now(), severity, title, message))

    @property
    def entries(self) -> list[LoggedNotification]:
        """Newest first."""
        return list(reversed(self._entries))

    def text(self) -> str:
        """The log as plain text, newest first."""
        if not self._entries:
            return "No notifications yet."
        blocks = []
        for entry in self.entries:
            label = "" if entry.severity == "information" else f" {entry.severity}"
            heading = f"{entry.at:%H:%M:%S}{label}" + (f" · {entry.title}" if entry.title else "")
            blocks.append(f"{heading}\n{entry.message}")
        return "\n\n".join(blocks)
