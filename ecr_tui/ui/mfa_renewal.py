"""A role assumed with an MFA code expires (an hour by default): ask for a new code then.

Without this, every call after the expiry would fail with "Credentials expired"
and the only way on would be to switch to another profile and back. The
context's credentials come with STS's expiry: once it has passed (watched on the
contexts' cursor-follow timer, no timer of its own), or as soon as AWS says the
token expired, the MFA dialog asks for a code once. A new code reconnects the
same context with the role's new credentials (the place kept, as a switch
would); a cancelled dialog or a refused code leaves the context as it is, and
`:profile NAME` (the profile browsed) asks again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ecr_tui.core.context_credentials import RoleCredentials
from ecr_tui.core.contexts import Profile
from ecr_tui.ui.context_credentials import ask_mfa_code
from ecr_tui.ui.dialogs.text import TextInputScreen

if TYPE_CHECKING:
    from ecr_tui.ui.app_host import AppHost

Renewed = Callable[[RoleCredentials], None]


class MfaRenewal:
    """The current context's role credentials assumed with MFA: when they expire."""

    def __init__(self, app: AppHost, renewed: Renewed) -> None:
        self.app = app
        self.renewed = renewed
        self.profile: Profile | None = None
        self.expiration: datetime | None = None
        self.region = ""
        # The dialog is offered once per expiry: a user who cancelled is not nagged.
        self.asked = False
        # The clock (tests move it on rather than wait an hour).
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)

    def follow(
        self, profile: Profile | None, region: str, credentials: RoleCredentials | None
    ) -> None:
        """The context entered signs with `credentials` (None: no MFA role to renew)."""
        if profile is None or credentials is None or credentials.expiration is None:
            self.profile, self.expiration, self.asked = None, None, False
            return
        self.profile, self.region = profile, region
        self.expiration, self.asked = credentials.expiration, False

    def moved_to(self, region: str) -> None:
        """Same profile, same credentials, another region."""
        self.region = region

    @property
    def expired(self) -> bool:
        """Whether the credentials browsed now have passed their expiry."""
        return self.expiration is not None and self.now() >= self.expiration

    def check(self) -> None:
        """Offer the dialog once the credentials have expired (the cursor-follow timer)."""
        if self.expired and not self.asked:
            self.offer()

    def token_refused(self) -> None:
        """AWS said the token expired (its clock, not ours): offer the dialog now."""
        if self.profile is not None and not self.asked:
            self.offer()

    def offer(self) -> None:
        """Ask for a code (again: `:profile NAME` on the profile browsed)."""
        profile, expiration = self.profile, self.expiration
        if profile is None or expiration is None:
            return
        if isinstance(self.app.screen, TextInputScreen):
            return  # already asking (a code, or something else the user is typing)
        self.asked = True
        at = f"{expiration.astimezone(UTC):%H:%M} UTC"
        past = self.now() >= expiration
        why = (
            f"The credentials of role {profile.role_arn} "
            + (f"expired at {at}" if past else "were refused as expired")
            + f": ECR refuses every call until a new code renews them ({profile.name} "
            "stays open; esc keeps it as it is). "
        )

        def entered(credentials: RoleCredentials | None) -> None:
            if credentials is not None and self.profile is profile:
                self.renewed(credentials)

        def cancelled() -> None:
            self.app.notify(
                f"Still on {profile.name}, with credentials that "
                + ("expired" if past else "AWS says expired")
                + f": `:profile {profile.name}` asks for a code again.",
                title="MFA code not given",
                severity="warning",
                timeout=10,
            )

        ask_mfa_code(self.app, profile, self.region, entered, why=why, cancelled=cancelled)
