"""The plumbing every administration flow shares: ask, check, run in a thread, come back.

A flow shows a dialog, runs the ECR call in a thread worker (group "admin",
so a failure reaches the app's one error handler) and, back on the UI
thread, says what happened and refreshes what it changed. Input is checked by
the dialogs and again by `ecr_tui.core.admin` before anything is sent.
The flows themselves live apart by what they change: `repository_actions`,
`policy_actions` and `image_actions` each subclass `AdminFlows`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ecr_tui.core.ecr import EcrService
from ecr_tui.core.models import Repository
from ecr_tui.ui.app_host import AppHost
from ecr_tui.ui.background import run_then
from ecr_tui.ui.panes.repositories import RepositoriesPane

T = TypeVar("T")


class AdminFlows:
    """What the administration flows of one app share: the service, the checks, the worker."""

    def __init__(self, app: AppHost) -> None:
        self.app = app

    # -- plumbing ---------------------------------------------------------------

    @property
    def _service(self) -> EcrService | None:
        return self.app.service

    def _allowed(self, operation: str, what: str) -> EcrService | None:
        """The service, unless read-only mode forbids `operation` or there is no connection.

        `operation` is the ECR call the flow ends in; `what` says it in words.
        """
        if self.app.refuse_in_read_only(operation, what):
            return None
        if self._service is None:
            self.app.notify("Not connected yet.", severity="warning")
        return self._service

    def _run(
        self,
        description: str,
        work: Callable[[], T],
        then: Callable[[T], None],
        *,
        asks_next: bool = False,
    ) -> None:
        """Run `work` in a thread worker, then `then(result)` on the UI thread; the
        worker waits for `then`, so that an error it raises is reported (see background)."""
        run_then(
            self.app,
            work,
            then,
            group="admin",
            wait_for_ui=True,
            asks_next=asks_next,
            description=description,
        )

    def _repository(self) -> Repository | None:
        repository: Repository | None = self.app.query_one(RepositoriesPane).table.current_row
        if repository is None:
            self.app.notify("Choose a repository first.", severity="warning")
        return repository
