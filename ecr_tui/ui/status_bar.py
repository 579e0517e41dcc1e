"""The status line at the top: what matters most stays whole, whatever the width.

Its parts are ranked, and so are their forms. READ-ONLY, the account (and profile)
and the region come first and are never cut; then the endpoint; then Docker's state,
at the right; then the account's alias; the repository the cursor is in; the
endpoint and Docker's state in full, the app's name; last the rest of the
breadcrumb (image, finding: where the cursor is), as long as there is room. A part
can have a short form ("demo") that comes early and a long one
("http://127.0.0.1:4566 (demo)") that comes later, when there is room after
everything ranked before it. A part without room is left out whole, never cut in
the middle: a cut reads as something else ("REA…").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from ecr_tui.ui.docker_status import docker_status_text

if TYPE_CHECKING:
    from ecr_tui.core.docker.login import LoginState
    from ecr_tui.core.errors import Problem
    from ecr_tui.core.models import AccountInfo

# The countdown to the Docker login's expiry shows minutes: repainting once a minute
# keeps it true.
COUNTDOWN_SECONDS = 60.0
# Between the parts on the left and Docker's state on the right, at least.
RIGHT_GAP = 2

# Ranks: a lower one gets its room first.
RANK_READ_ONLY = 0
RANK_ACCOUNT = 1
RANK_REGION = 2
RANK_ENDPOINT = 3
RANK_DOCKER = 4
RANK_ACCOUNT_ALIAS = 5  # "123456789012 (acme-prod)"
RANK_ACCOUNT_LABEL = 6  # "account 123456789012" rather than the bare number
# Where the cursor is: the repository open (before the long forms of what is already
# said shortly: at 120 columns the demo's endpoint in full left it no room), then its
# image, then the finding (the panes' titles say the first two as well).
RANK_BREADCRUMB = 7
RANK_ENDPOINT_IN_FULL = 8
RANK_DOCKER_IN_FULL = 9
RANK_APP_NAME = 10
RANK_BREADCRUMB_IMAGE = 11
RANK_BREADCRUMB_FINDING = 12

BREADCRUMB_SEPARATOR = " \u203a "  # a single right-pointing angle quotation mark


@dataclass(frozen=True, slots=True)
class Part:
    """One part of the status line.

    `forms` are (text, rank) from the shortest to the longest, their ranks rising: a
    longer form replaces a shorter one when its rank comes and there is room.
    `separator` goes before the part unless it comes first on its side; a `right`
    part is drawn at the right end.
    """

    forms: tuple[tuple[Text, int], ...]
    separator: str = " · "
    right: bool = False

    @classmethod
    def single(cls, text: Text, rank: int, separator: str = " · ") -> Part:
        """A part with one form."""
        return cls(((text, rank),), separator)


def fit_parts(parts: Sequence[Part], width: int) -> Text:
    """The line of `parts` in `width` cells (see the module's docstring)."""
    steps = sorted(
        (rank, index, form)
        for index, part in enumerate(parts)
        for form, (_, rank) in enumerate(part.forms)
    )
    chosen: dict[int, int] = {}  # part index -> index of its form shown
    for _, index, form in steps:
        shown = chosen.get(index)
        if form and shown is None:
            continue  # not even its shorter form had room
        chosen[index] = form
        if _line_width(parts, chosen) > width:
            if shown is None:
                del chosen[index]
            else:
                chosen[index] = shown
    return _assemble(parts, chosen, width)


def _left_and_right(parts: Sequence[Part], chosen: dict[int, int]) -> tuple[Text, Text]:
    left, right = Text(), Text()
    for index, part in enumerate(parts):
        if index not in chosen:
            continue
        side = right if part.right else left
        if side:
            side.append(part.separator)
        side.append_text(part.forms[chosen[index]][0])
    return left, right


def _line_width(parts: Sequence[Part], chosen: dict[int, int]) -> int:
    left, right = _left_and_right(parts, chosen)
    gap = RIGHT_GAP if left and right else 0
    return left.cell_len + gap + right.cell_len


def _assemble(parts: Sequence[Part], chosen: dict[int, int], width: int) -> Text:
    left, right = _left_and_right(parts, chosen)
    if right:
        left.append(" " * max(width - left.cell_len - right.cell_len, 0))
        left.append_text(right)
    left.no_wrap = True
    return left


def connection_parts(
    *,
    account: AccountInfo | None,
    read_only: bool,
    demo: bool,
    problem: Problem | None,
    connecting_to: str,
) -> list[Part]:
    """The parts that say who and where: the app's name, READ-ONLY, what fails (the
    connection, the credentials), the account and profile, the region and the
    endpoint (or how connecting goes)."""
    parts = [Part.single(Text("ecr-tui", "bold"), RANK_APP_NAME)]
    if read_only:
        parts.append(Part.single(Text("READ-ONLY", "bold reverse"), RANK_READ_ONLY, "  "))
    if account is None:
        if problem is not None:
            not_connected = Text(f"not connected: {problem.title}")
            parts.append(Part.single(not_connected, RANK_ACCOUNT, "  "))
            return parts
        connecting = Text(f"connecting to {connecting_to}")
        forms = ((Text("connecting…"), RANK_ACCOUNT), (connecting, RANK_ENDPOINT))
        parts.append(Part(forms, "  "))
        return parts
    if problem is not None:
        # E.g. the credentials expired since: before the account (of the same rank,
        # placed first), where 80 columns still show it.
        failing = Text(f"{problem.title} · r retry", "bold")
        parts.append(Part.single(failing, RANK_ACCOUNT, "  "))
    account_id = account.account_id or "?"
    account_forms = [(Text(account_id), RANK_ACCOUNT)]
    if account.alias:
        account_forms.append((Text(f"{account_id} ({account.alias})"), RANK_ACCOUNT_ALIAS))
    labelled = f"account {account_id}" + (f" ({account.alias})" if account.alias else "")
    account_forms.append((Text(labelled), RANK_ACCOUNT_LABEL))
    parts.append(Part(tuple(account_forms), "  "))
    if account.profile:
        parts.append(Part.single(Text(f"profile {account.profile}"), RANK_ACCOUNT))
    parts.append(Part.single(Text(account.region), RANK_REGION))
    parts.append(Part(_endpoint_forms(account.endpoint, demo)))
    return parts


def breadcrumb_part(crumbs: Sequence[str]) -> Part | None:
    """Where the cursor is (repository, image, finding), longer as there is room."""
    if not crumbs:
        return None
    ranks = (RANK_BREADCRUMB, RANK_BREADCRUMB_IMAGE, RANK_BREADCRUMB_FINDING)
    forms = tuple(
        (Text(BREADCRUMB_SEPARATOR.join(crumbs[: depth + 1]), "italic"), ranks[depth])
        for depth in range(min(len(crumbs), len(ranks)))
    )
    return Part(forms, "  ")


def _endpoint_forms(endpoint: str, demo: bool) -> tuple[tuple[Text, int], ...]:
    """The endpoint: a short form first, then in full."""
    if demo:
        full = Text.assemble(endpoint, (" (demo)", "italic"))
        return ((Text("demo", "italic"), RANK_ENDPOINT), (full, RANK_ENDPOINT_IN_FULL))
    without_scheme = endpoint.partition("://")[2]
    if not without_scheme:
        return ((Text(endpoint), RANK_ENDPOINT),)  # "AWS"
    return ((Text(without_scheme), RANK_ENDPOINT), (Text(endpoint), RANK_ENDPOINT_IN_FULL))


def docker_part(checked: bool, problem: str | None, login: LoginState | None) -> Part:
    """Docker's state: in full when there is room, else without the reason (the help
    screen and the notification log keep it)."""
    now = datetime.now(UTC)
    full = Text(docker_status_text(checked, problem, login, now))
    short = Text(docker_status_text(checked, problem, login, now, short=True))
    if short == full:
        return Part(((full, RANK_DOCKER),), separator="  ", right=True)
    return Part(((short, RANK_DOCKER), (full, RANK_DOCKER_IN_FULL)), separator="  ", right=True)


class StatusBar(Widget):
    """The status line: the app sets the connection's parts and Docker's state."""

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text;
    }
    """

    checked: reactive[bool] = reactive(False)
    problem: reactive[str | None] = reactive(None)
    login: reactive[LoginState | None] = reactive(None)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._parts: list[Part] = []

    def on_mount(self) -> None:
        """Keep the countdown to the login's expiry current."""
        self.set_interval(COUNTDOWN_SECONDS, self.refresh)

    def show_connection(self, parts: Sequence[Part]) -> None:
        """Show these parts about the connection (Docker's is added here)."""
        self._parts = list(parts)
        self.refresh()

    @property
    def docker_text(self) -> str:
        """Docker's state in full, reason included (for the help screen)."""
        return docker_status_text(self.checked, self.problem, self.login, datetime.now(UTC))

    def watch_problem(self, problem: str | None) -> None:
        """The whole reason on hover: the line may have room for the state only."""
        self.tooltip = problem

    def render(self) -> Text:
        """The one line."""
        docker = docker_part(self.checked, self.problem, self.login)
        return fit_parts([*self._parts, docker], self.content_size.width)
