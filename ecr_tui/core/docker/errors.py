"""`DockerActionError`, the one exception the Docker side raises, and its text helpers.

No docker-py object or traceback crosses to the UI: each failure is turned into
this error, whose `str()` is a message fit to show the user as it is.
"""

from __future__ import annotations


class DockerActionError(Exception):
    """A Docker operation failed; `str()` is a message fit to show the user."""

    def __init__(self, title: str, detail: str) -> None:
        super().__init__(f"{title}: {detail}")
        self.title = title
        self.detail = detail


class DockerUnavailable(DockerActionError):
    """The daemon could not be reached, or the connection to it broke: it may be gone."""


def short_text(text: str, limit: int = 300) -> str:
    """`text` on one line, cut to `limit` characters so a message stays readable."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def os_error_text(error: OSError) -> str:
    """The system's words for an OS error, never empty."""
    return error.strerror or str(error) or type(error).__name__
