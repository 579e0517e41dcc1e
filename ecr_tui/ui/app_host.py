"""What the action modules may use of the app, so that they never import `ui.app`.

`AppHost` is the Textual `App` (one that keeps keys in order: `key_order`) plus
the state the administration and Docker flows read: the connection, the listing
reader, the account, read-only mode.
`EcrApp` (in `ui.app`) is the one subclass; it sets these in its constructor
and builds the action objects, which hold it as an `AppHost`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Protocol

from ecr_tui.core.read_only import ReadOnlyRefusal, is_mutating
from ecr_tui.ui.key_order import KeyOrderedApp

if TYPE_CHECKING:
    from ecr_tui.core.ecr import ConnectionSettings, EcrService
    from ecr_tui.core.errors import Problem
    from ecr_tui.core.models import AccountInfo
    from ecr_tui.core.remote_reader import RemoteReader
    from ecr_tui.ui.status_bar import StatusBar


class DemoEndpoint(Protocol):
    """A running demo endpoint as the app uses it (the demo package implements it)."""

    @property
    def url(self) -> str: ...

    # Where Docker pushes and pulls, or why it cannot.
    @property
    def registry_host(self) -> str | None: ...

    @property
    def registry_problem(self) -> str | None: ...


class DemoLaunch(Protocol):
    """The demo endpoint the CLI started: the UI never imports the demo package."""

    def wait_ready(self) -> DemoEndpoint:
        """Block until the endpoint serves (called from a worker thread)."""
        ...

    def close(self) -> None:
        """Stop the endpoint and its registry."""
        ...


class QueuedSwitches(Protocol):
    """What the command bar uses of `ui.switch_queue.SwitchQueue`."""

    def command_ran(self) -> None:
        """The command bar closed: a profile prepared meanwhile may enter now."""
        ...


class ContextSwitching(Protocol):
    """What the action modules use of `ui.contexts.Contexts` (which imports this module)."""

    # --read-only was given: every context is read-only.
    read_only_always: bool

    # A profile switch being prepared, and the switches typed on top of it.
    @property
    def queue(self) -> QueuedSwitches: ...

    def go_to_in_region(
        self, region: str, repository: str, tag: str | None, digest: str | None
    ) -> None:
        """Switch to `region` and land on `repository` and its image."""
        ...


class AppHost(KeyOrderedApp):
    """The app as the action modules see it; `EcrApp` fills in every attribute.

    Keys wait for the one before them (see `key_order`); a flow that opens its dialog
    after a call holds them with `hold_keys`.
    """

    settings: ConnectionSettings
    # Listings are read in a child process (see remote_reader).
    reader: RemoteReader
    read_only: bool
    # The profile and region browsed, and switching them.
    contexts: ContextSwitching
    # None until the background connection is made.
    service: EcrService | None
    account: AccountInfo | None
    # The demo's endpoint, when the app runs one, and what started it.
    demo_endpoint: DemoEndpoint | None
    demo_launch: DemoLaunch | None
    # Why ECR calls fail (connecting, or the credentials), until one succeeds again.
    connection_problem: Problem | None

    def refresh_status(self) -> None:
        """Say again who and where in the status line (after the connection changed)."""
        raise NotImplementedError

    def status_bar(self) -> StatusBar | None:
        """The status line; None while the app closes (a late answer has none to update)."""
        raise NotImplementedError

    def show_favourites(self) -> None:
        """Mark the current profile's favourites (again, after switching profile)."""
        raise NotImplementedError

    def use_service(self, generation: int, service: EcrService) -> None:
        """Context `generation`'s ECR client exists: the panes start loading (unless
        the user has switched away meanwhile)."""
        raise NotImplementedError

    def allows(self, operation: str) -> bool:
        """Whether `operation` (an ECR API name, e.g. "PutImage") may be sent in this session.

        Read-only mode decides it with the one list in `core.read_only`, the same
        one the ECR client itself enforces.
        """
        return not (self.read_only and is_mutating(operation))

    def refuse_in_read_only(self, operation: str, what: str) -> bool:
        """True, after saying why, when read-only mode keeps `operation` from being sent.

        `what` names the change in the user's words ("Creating a repository").
        """
        if self.allows(operation):
            return False
        refusal = ReadOnlyRefusal(operation, what, read_only_reason(self))
        self.notify(refusal.detail, title=refusal.title, severity="warning")
        return True


def read_only_reason(app: AppHost) -> str | None:
    """Why this context is read-only, and what to do to make changes (None: not known)."""
    if app.contexts.read_only_always:
        return (
            "read-only mode: ecr-tui was started with --read-only. Quit and start it "
            "without --read-only to make changes."
        )
    from ecr_tui.config import DEMO_READ_ONLY, ConfigError, load_settings

    try:  # (a small file, read again: it may have changed since the context was entered)
        user = load_settings(app.settings.profile, demo=app.settings.demo)
    except ConfigError:
        return None
    profile = app.settings.profile or os.environ.get("AWS_PROFILE") or "default"
    if user.read_only_line == DEMO_READ_ONLY:
        return (
            f"read-only mode: the demo's profile {profile} is read-only, as "
            f"[profiles.{profile}] read_only = true in the config file makes a profile. "
            "Switch to another profile (:profile dev) to make changes."
        )
    if not user.read_only or user.source is None:
        return None
    if user.read_only_line.startswith("[profiles."):
        return (
            f"read-only mode: profile {profile} is read-only "
            f"({user.read_only_line} = true in {user.source}). Switch to another profile "
            "(:profile NAME), or change that line, to make changes."
        )
    return (
        f"read-only mode, for every profile (read_only = true in {user.source}). "
        f"Change that line, or add read_only = false under [profiles.{profile}] there, "
        "to make changes."
    )
