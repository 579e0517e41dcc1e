"""Getting around: the command bar (`:`) and going to a repository or an image.

`NavigatingApp` is the part of the app that moves the user somewhere else
rather than changing ECR: its keys, and the flows they start. `EcrApp`
subclasses it; the command language is `ecr_tui.commands`, what the commands
do is `command_runner`.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType

from ecr_tui.state import StateStore
from ecr_tui.ui.app_host import AppHost

if TYPE_CHECKING:
    from ecr_tui.ui.command_runner import CommandRunner
    from ecr_tui.ui.repository_actions import RepositoryActions


class NavigatingApp(AppHost):
    """The app's keys and flows that go somewhere: the command bar, go to an image."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("colon", "command_bar", "Command", id="app.command_bar"),
    ]

    # What is remembered between runs (the command history); EcrApp sets it.
    state: StateStore

    def on_mount(self) -> None:
        """Say once why the state file is not used (it is left as it is)."""
        if self.state.problem:
            self.notify(self.state.problem, title="State file", severity="warning", timeout=10)

    def action_help(self) -> None:
        """Every key (EcrApp shows them)."""
        raise NotImplementedError

    @functools.cached_property
    def repository_actions(self) -> RepositoryActions:
        """Repository administration and go-to, loaded on the first key that asks for it."""
        from ecr_tui.ui.repository_actions import RepositoryActions

        return RepositoryActions(self)

    @functools.cached_property
    def commands(self) -> CommandRunner:
        """The command bar, loaded when it is first opened."""
        from ecr_tui.ui.command_runner import CommandRunner

        return CommandRunner(self, self.state, lambda: self.repository_actions, self.action_help)

    def action_command_bar(self, initial: str = "") -> None:
        """Open the command bar (with `initial` typed in it)."""
        self.commands.open(initial)
