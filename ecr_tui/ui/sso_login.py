"""An expired SSO session: `aws sso login --profile NAME` in the terminal, the app suspended.

The CLI is checked first (version 2 has `sso login`, version 1 does not): a CLI
that cannot log in is explained without handing the terminal over. While the
login runs the terminal is the CLI's (it prints a code and a URL, and may open a
browser); when it fails, its output stays on screen until enter, so that the
user can read why. Back in the app, what happened is said, and a failed login
is offered again; the context switches only once the session is valid.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC

from textual.app import SuspendNotSupported

from ecr_tui.core.aws_cli import AwsCli, find_aws_cli, sso_login_problem
from ecr_tui.core.contexts import Profile, sso_login_needed, sso_token_expiry
from ecr_tui.core.errors import explain_error
from ecr_tui.ui.app_host import AppHost
from ecr_tui.ui.background import run_then
from ecr_tui.ui.dialogs.confirm import ConfirmScreen

# The exit code a shell gives a command stopped with ctrl+c.
INTERRUPTED = 130

# Told why the login did not happen (declined, the CLI missing, failed): nothing changed.
Failed = Callable[[str], None]


def login_command(profile: Profile) -> str:
    """The command the user is offered, as they would type it."""
    return f"aws sso login --profile {profile.name}"


def offer_sso_login(
    app: AppHost, profile: Profile, then: Callable[[], None], failed: Failed
) -> None:
    """The profile's SSO session has expired: offer `aws sso login`, then connect."""
    expiry = sso_token_expiry(profile)
    state = (
        f"expired at {expiry.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
        if expiry is not None
        else "has no cached token (never logged in here, or logged out)"
    )
    body = (
        f"Profile {profile.name} signs in with SSO ({profile.sso_start_url}) and its "
        f"session {state}. Run `{login_command(profile)}` now? ecr-tui "
        "steps aside while it runs in this terminal, then connects."
    )

    def answered(log_in: bool | None) -> None:
        if log_in:
            sso_login(app, profile, then, failed)
        else:
            failed("the SSO login was declined")

    app.push_screen(ConfirmScreen("SSO login needed", body, confirm_label="Log in"), answered)


def sso_login(app: AppHost, profile: Profile, then: Callable[[], None], failed: Failed) -> None:
    """Find the CLI (in a worker: it takes a second to start), then log in with it."""
    app.notify(f"Checking the AWS CLI before `{login_command(profile)}`…", timeout=3)
    run_then(
        app,
        find_aws_cli,
        lambda cli: _log_in_with(app, cli, profile, then, failed),
        group="switch",
        wait_for_ui=False,
        exclusive=True,
        description="Looking for the AWS CLI",
        failed=lambda error: failed(explain_error(error).title),
    )


def _log_in_with(
    app: AppHost, cli: AwsCli | None, profile: Profile, then: Callable[[], None], failed: Failed
) -> None:
    command = login_command(profile)
    problem = sso_login_problem(cli, command)
    if problem is not None or cli is None:
        app.notify(f"{problem} Nothing changed.", title="SSO login", severity="error", timeout=15)
        failed("the SSO login could not run")
        return
    try:
        with app.suspend():
            status = _run_in_terminal(cli.path, profile, command)
    except SuspendNotSupported:
        app.notify(
            f"This terminal cannot hand itself over: run `{command}` in another one, then "
            "switch again. Nothing changed.",
            title="SSO login",
            severity="error",
            timeout=15,
        )
        failed("the SSO login could not run in this terminal")
        return
    if status == 0 and not sso_login_needed(profile):
        app.notify(f"Logged in: the SSO session of {profile.name} is valid.", timeout=4)
        then()
        return
    if _interrupted(status):
        ended, why = "was stopped (ctrl+c)", ""
    elif status:
        ended = f"failed (exit code {status})"
        why = (
            " Its output said why (no network to "
            f"{profile.sso_start_url or 'the SSO portal'}, or the sign-in in the browser "
            "was not finished)."
        )
    else:
        ended, why = "ended, but the session it cached is not valid for this profile", ""
    body = (
        f"`{command}` {ended}: the SSO session of {profile.name} is still expired, and "
        f"ecr-tui stays where it was.{why} Try again?"
    )

    def answered(retry: bool | None) -> None:
        if retry:
            sso_login(app, profile, then, failed)
        else:
            failed(f"`{command}` {ended}")

    app.push_screen(ConfirmScreen("SSO login failed", body, confirm_label="Retry"), answered)


def _run_in_terminal(aws: str, profile: Profile, command: str) -> int:
    """Run the login in the terminal the app handed over; its exit status."""
    with _ctrl_c_stops_the_login():
        print(f"\n── ecr-tui: running `{command}`; ecr-tui comes back when it ends.\n", flush=True)
        try:
            status = subprocess.run([aws, "sso", "login", "--profile", profile.name]).returncode
        except KeyboardInterrupt:  # ctrl+c reaches the app too: the login was stopped
            status = INTERRUPTED
        except OSError as error:
            print(f"ecr-tui: `{command}` could not start: {error.strerror}", flush=True)
            status = 127
        if status != 0:
            # Its output says why: left on screen until the user has read it.
            ended = "was stopped" if _interrupted(status) else f"failed (exit code {status})"
            print(f"\n── ecr-tui: `{command}` {ended}.", flush=True)
            print("Press enter to go back to ecr-tui.", flush=True)
            with contextlib.suppress(KeyboardInterrupt, EOFError, OSError):
                sys.stdin.readline()
    return status


def _interrupted(status: int) -> bool:
    """The exit status of a command ctrl+c stopped (its own exit, or the signal's)."""
    return status in (INTERRUPTED, -signal.SIGINT)


@contextlib.contextmanager
def _ctrl_c_stops_the_login() -> Iterator[None]:
    """While the terminal is the CLI's, ctrl+c stops the login, not the app.

    The app's event loop (asyncio's runner) takes SIGINT to cancel its main task:
    ecr-tui would end when the user only meant to stop `aws sso login`. Python's
    own handler raises KeyboardInterrupt here instead (the CLI, a child, gets
    SIGINT from the terminal as well and stops).
    """
    try:
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    except ValueError:  # not the main thread: nothing of ours to swap
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
