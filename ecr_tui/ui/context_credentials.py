"""Before a profile switch connects: an expired SSO session, an MFA code, no credentials.

`prepare_profile` runs what the new profile needs, then calls `enter` (with the
credentials of a role assumed with MFA, if any). Whatever fails is said, naming
the profile, and changes nothing: the app stays in the context it was in.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC

from textual.app import SuspendNotSupported

from ecr_tui.core.context_credentials import (
    RoleCredentials,
    assume_role_with_mfa,
    why_no_credentials,
)
from ecr_tui.core.contexts import CredentialKind, Profile, sso_login_needed, sso_token_expiry
from ecr_tui.ui.app_host import AppHost
from ecr_tui.ui.background import run_then
from ecr_tui.ui.dialogs.confirm import ConfirmScreen
from ecr_tui.ui.dialogs.text import TextInputScreen

Enter = Callable[[RoleCredentials | None], None]

MFA_CODE_DIGITS = 6


def prepare_profile(app: AppHost, profile: Profile, region: str, enter: Enter) -> None:
    """Get what `profile` needs before connecting, then `enter(credentials)`."""
    if profile.kind is CredentialKind.SSO and sso_login_needed(profile):
        offer_sso_login(app, profile, lambda: enter(None))
    elif profile.needs_mfa:
        ask_mfa_code(app, profile, region, enter)
    else:

        def checked(why: str | None) -> None:
            if why is None:
                enter(None)
            else:
                app.notify(why, title="No credentials", severity="error", timeout=15)

        run_then(
            app,
            lambda: why_no_credentials(profile),
            checked,
            group="switch",
            wait_for_ui=False,
            exclusive=True,
            description=f"Looking for the credentials of {profile.name}",
        )


def mfa_code_problem(text: str) -> str | None:
    """Why `text` is not an MFA code (six digits), or None."""
    if len(text) != MFA_CODE_DIGITS or not text.isdigit():
        return f"an MFA code is {MFA_CODE_DIGITS} digits"
    return None


def ask_mfa_code(
    app: AppHost,
    profile: Profile,
    region: str,
    enter: Enter,
    why: str = "",
    cancelled: Callable[[], None] | None = None,
) -> None:
    """Ask for the code of the profile's MFA device; assume its role with it.

    `why` opens the dialog's text (say, that the role's credentials expired);
    a cancelled dialog changes nothing (`cancelled` may say so).
    """
    sts_endpoint = app.settings.sts_endpoint_url

    def typed(code: str | None) -> None:
        if not code:
            if cancelled is not None:
                cancelled()
            return  # nothing changes
        run_then(
            app,
            lambda: assume_role_with_mfa(profile, code, sts_endpoint, region),
            enter,
            group="switch",
            wait_for_ui=False,
            exclusive=True,
            description=f"Assuming {profile.role_arn} with MFA",
        )

    app.push_screen(
        TextInputScreen(
            f"MFA code for profile {profile.name}",
            f"{why}The code {profile.mfa_serial} shows now",
            validate=mfa_code_problem,
        ),
        typed,
    )


def offer_sso_login(app: AppHost, profile: Profile, then: Callable[[], None]) -> None:
    """The profile's SSO session has expired: offer `aws sso login`, then connect."""
    expiry = sso_token_expiry(profile)
    state = (
        f"expired at {expiry.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
        if expiry is not None
        else "has no cached token (never logged in here, or logged out)"
    )
    body = (
        f"Profile {profile.name} signs in with SSO ({profile.sso_start_url}) and its "
        f"session {state}. Run `aws sso login --profile {profile.name}` now? ecr-tui "
        "steps aside while it runs in this terminal, then connects."
    )

    def answered(log_in: bool | None) -> None:
        if log_in:
            sso_login(app, profile, then)

    app.push_screen(ConfirmScreen("SSO login needed", body, confirm_label="Log in"), answered)


def sso_login(app: AppHost, profile: Profile, then: Callable[[], None]) -> None:
    """Run `aws sso login` with the app suspended; `then` once the session is valid."""
    command = f"aws sso login --profile {profile.name}"
    aws = shutil.which("aws")
    if aws is None:
        app.notify(
            f"The AWS CLI (aws) is not installed here: install AWS CLI v2, or run `{command}` "
            "where it is, then switch again. Nothing changed.",
            title="SSO login",
            severity="error",
            timeout=15,
        )
        return
    try:
        # The terminal is the CLI's while it runs (it prints a code and opens a browser).
        with app.suspend():
            result = subprocess.run([aws, "sso", "login", "--profile", profile.name], check=False)
    except SuspendNotSupported:
        app.notify(
            f"This terminal cannot hand itself over: run `{command}` in another one, then "
            "switch again. Nothing changed.",
            title="SSO login",
            severity="error",
            timeout=15,
        )
        return
    if result.returncode != 0 or sso_login_needed(profile):
        app.notify(
            f"`{command}` did not finish (exit code {result.returncode}): the SSO session "
            f"of {profile.name} is still expired. Nothing changed.",
            title="SSO login",
            severity="error",
            timeout=15,
        )
        return
    then()
