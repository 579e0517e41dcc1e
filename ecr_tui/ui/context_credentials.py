"""Before a profile switch connects: an expired SSO session, an MFA code, no credentials.

`prepare_profile` runs what the new profile needs, then calls `enter` (with the
credentials of a role assumed with MFA, if any). Whatever fails is said, naming
the profile, and changes nothing: the app stays in the context it was in, and
`failed` is told why in a few words (a cancelled dialog too), so that switches
typed meanwhile are not applied either (see `switch_queue`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from ecr_tui.core.context_credentials import (
    MfaCodeRefused,
    RoleCredentials,
    assume_role_with_mfa,
    why_no_credentials,
)
from ecr_tui.core.contexts import CredentialKind, Profile, sso_login_needed
from ecr_tui.core.errors import explain_error
from ecr_tui.ui.app_host import AppHost
from ecr_tui.ui.background import run_then
from ecr_tui.ui.dialogs.text import TextInputScreen
from ecr_tui.ui.sso_login import offer_sso_login

Enter = Callable[[RoleCredentials | None], None]
Failed = Callable[[str], None]

MFA_CODE_DIGITS = 6


def prepare_profile(
    app: AppHost, profile: Profile, region: str, enter: Enter, failed: Failed
) -> None:
    """Get what `profile` needs before connecting, then `enter(credentials)`;
    else `failed(why)`."""
    if profile.kind is CredentialKind.SSO and sso_login_needed(profile):
        offer_sso_login(app, profile, lambda: enter(None), failed)
    elif profile.needs_mfa:
        not_given = functools.partial(failed, "no MFA code was given")
        ask_mfa_code(app, profile, region, enter, cancelled=not_given, failed=failed)
    else:

        def checked(why: str | None) -> None:
            if why is None:
                enter(None)
            else:
                app.notify(why, title="No credentials", severity="error", timeout=15)
                failed("it has no credentials")

        run_then(
            app,
            lambda: why_no_credentials(profile),
            checked,
            group="switch",
            wait_for_ui=False,
            exclusive=True,
            description=f"Looking for the credentials of {profile.name}",
            failed=lambda error: failed(explain_error(error).title),
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
    refused: str = "",
    failed: Failed | None = None,
) -> None:
    """Ask for the code of the profile's MFA device; assume its role with it.

    `why` opens the dialog's text (say, that the role's credentials expired);
    a cancelled dialog changes nothing (`cancelled` may say so). A code AWS
    refuses asks again at once, `refused` saying why under the empty field.
    Another failure of the call is reported, and `failed` told of it.
    """
    sts_endpoint = app.settings.sts_endpoint_url

    def assume(code: str) -> RoleCredentials | MfaCodeRefused:
        try:
            return assume_role_with_mfa(profile, code, sts_endpoint, region)
        except MfaCodeRefused as refusal:
            return refusal

    def assumed(result: RoleCredentials | MfaCodeRefused) -> None:
        if isinstance(result, MfaCodeRefused):
            again = f"{result.problem.title}: {result.problem.detail}"
            ask_mfa_code(app, profile, region, enter, why, cancelled, again, failed)
        else:
            enter(result)

    def typed(code: str | None) -> None:
        if not code:
            if cancelled is not None:
                cancelled()
            return  # nothing changes
        run_then(
            app,
            lambda: assume(code),
            assumed,
            group="switch",
            wait_for_ui=False,
            exclusive=True,
            # A refused code asks again: keys typed meanwhile go to that dialog.
            asks_next=True,
            description=f"Assuming {profile.role_arn} with MFA",
            failed=None if failed is None else lambda error: failed(explain_error(error).title),
        )

    app.push_screen(
        TextInputScreen(
            f"MFA code for profile {profile.name}",
            f"{why}The code {profile.mfa_serial} shows now",
            validate=mfa_code_problem,
            message=refused,
        ),
        typed,
    )
