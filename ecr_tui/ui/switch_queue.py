"""Switches typed while a profile switch is being prepared: they go on top of it, in order.

A profile that needs preparing (its credentials looked for in a worker, an MFA
code, an SSO login: see `context_credentials`) connects only once that is done.
A switch typed meanwhile, as `:region eu-west-1` right after `:profile prod` in
one burst, must land where it would have landed typed slowly: on the profile
being prepared, not on the context still shown. So it waits in the queue and is
applied once that profile is entered. If the preparation fails or is cancelled,
nothing queued is applied, and the user is told what was not done.

The preparation's outcome waits for the keys typed before it to be done (a
burst's `:region` is queued, not run on the context left), and, while the user
is typing in the command bar, for the bar to close: the command being typed was
typed after the switch, so it goes on top of it too (entering the profile would
close the bar under the user's keys).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rich.text import Text

from ecr_tui.ui.app_host import AppHost
from ecr_tui.ui.command_bar import CommandBarScreen
from ecr_tui.ui.status_bar import RANK_ACCOUNT, RANK_ENDPOINT_IN_FULL, Part


@dataclass(frozen=True, slots=True)
class Queued:
    """A switch typed while another was being prepared."""

    words: str  # as the user would say it: ":region eu-west-1"
    apply: Callable[[], None]


@dataclass(slots=True)
class PendingSwitch:
    """A profile being prepared, and what was typed on top of it."""

    profile: str
    region: str
    left: str  # the context the user is in meanwhile, "dev · us-east-1"
    queued: list[Queued] = field(default_factory=list)
    # The preparation's outcome, kept while the command bar is open.
    outcome: Callable[[], None] | None = None


class SwitchQueue:
    """The one profile switch being prepared, if any, and the switches queued on it."""

    def __init__(self, app: AppHost) -> None:
        self.app = app
        self.pending: PendingSwitch | None = None

    def holds(self, words: str, apply: Callable[[], None]) -> bool:
        """Queue a switch when one is being prepared (True); else it may run now."""
        pending = self.pending
        if pending is None:
            return False
        pending.queued.append(Queued(words, apply))
        self.app.refresh_status()
        return True

    def start(self, profile: str, region: str, left: str) -> PendingSwitch:
        """`profile` is being prepared from now (its region `region`)."""
        self.pending = PendingSwitch(profile, region, left)
        self.app.refresh_status()
        return self.pending

    def entered(self, pending: PendingSwitch, enter: Callable[[], None]) -> None:
        """The preparation is done: `enter` the profile, then what was queued on it."""

        def outcome() -> None:
            queued = pending.queued
            self.pending = None
            enter()
            for index, switch in enumerate(queued):
                switch.apply()
                if self.pending is not None:  # that one needs preparing too: the rest waits
                    self.pending.queued.extend(queued[index + 1 :])
                    break
            self.app.refresh_status()

        self._settle(pending, outcome)

    def failed(self, pending: PendingSwitch, why: str) -> None:
        """The preparation failed or was cancelled (`why`): nothing queued is applied.

        The failure itself was said where it happened (or, cancelled, needs no
        words); what this adds is the queued switches that were not applied.
        """

        def outcome() -> None:
            self.pending = None
            self.app.refresh_status()
            if not pending.queued:
                return
            dropped = ", ".join(switch.words for switch in pending.queued)
            self.app.notify(
                f"Not switched to {pending.profile}: {why}; {dropped} not applied. "
                f"Still browsing {pending.left}.",
                title="Not switched",
                severity="warning",
                timeout=15,
            )

        self._settle(pending, outcome)

    def command_ran(self) -> None:
        """The command bar closed (its command run, maybe queued): settle what waited."""
        pending = self.pending
        if pending is not None and pending.outcome is not None:
            outcome, pending.outcome = pending.outcome, None
            outcome()

    def _settle(self, pending: PendingSwitch, outcome: Callable[[], None]) -> None:
        """`outcome` once the keys typed before it are done (a switch among them is
        queued): the keys of one burst do not see the outcome earlier than typed slowly."""

        def now() -> None:
            if pending is not self.pending:
                return  # (settled already)
            if isinstance(self.app.screen, CommandBarScreen):
                pending.outcome = outcome  # after the command the user is typing
                return
            outcome()

        self.app.after_keys_typed_so_far(now)

    def status_part(self) -> Part | None:
        """'switching to prod · us-east-1…' while a profile is prepared: what is on
        screen is still the context left, and the status line must not hide that."""
        pending = self.pending
        if pending is None:
            return None
        then = "".join(f", then {switch.words}" for switch in pending.queued)
        short = Text(f"switching to {pending.profile}…", "bold")
        full = Text(f"switching to {pending.profile} · {pending.region}{then}…", "bold")
        return Part(((short, RANK_ACCOUNT), (full, RANK_ENDPOINT_IN_FULL)), "  ")
