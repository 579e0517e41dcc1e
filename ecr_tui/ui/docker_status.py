"""`docker: …` at the right of the status bar: can Docker act, and for how long is it logged in."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

if TYPE_CHECKING:
    from ecr_tui.core.docker.login import LoginState

# The countdown shows minutes: repainting once a minute keeps it true.
COUNTDOWN_SECONDS = 60.0


def docker_status_text(
    checked: bool, problem: str | None, login: LoginState | None, now: datetime
) -> str:
    """What the status bar says about Docker."""
    if problem:
        return f"docker: unavailable ({problem.rstrip('.')})"
    if not checked:
        return "docker: checking…"
    if login is None:
        return "docker: not logged in"
    if login.expires_at is None:
        return "docker: logged in"
    minutes_left = int((login.expires_at - now).total_seconds() // 60)
    if minutes_left <= 0:
        return "docker: login expired"
    hours, minutes = divmod(minutes_left, 60)
    return f"docker: logged in, expires in {hours}h {minutes}m"


class DockerStatus(Widget):
    """Where the Docker daemon stands; the app sets `checked`, `problem` and `login`."""

    checked: reactive[bool] = reactive(False)
    problem: reactive[str | None] = reactive(None)
    login: reactive[LoginState | None] = reactive(None)

    def on_mount(self) -> None:
        """Keep the countdown to the login's expiry current."""
        self.set_interval(COUNTDOWN_SECONDS, self._tick)

    def _tick(self) -> None:
        self.refresh()

    def watch_problem(self, problem: str | None) -> None:
        """The whole reason on hover: the bar has room for its start only."""
        self.tooltip = problem

    def render(self) -> Text:
        """The one line."""
        return Text(
            docker_status_text(self.checked, self.problem, self.login, datetime.now(UTC)),
            no_wrap=True,
            overflow="ellipsis",
            justify="right",
        )
