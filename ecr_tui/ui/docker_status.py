"""What the status line says about Docker: can it act, and for how long is it logged in."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ecr_tui.core.docker.login import LoginState


def docker_status_text(
    checked: bool,
    problem: str | None,
    login: LoginState | None,
    now: datetime,
    *,
    short: bool = False,
) -> str:
    """What the status line says about Docker; `short` leaves out the reason and
    shortens the countdown, for a line without room for them."""
    if problem:
        return "docker: unavailable" if short else f"docker: unavailable ({problem.rstrip('.')})"
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
    if short:
        return f"docker: logged in {hours}h {minutes}m"
    return f"docker: logged in, expires in {hours}h {minutes}m"
