"""Credentials a profile switch needs first: whether there are any, and a role behind MFA.

botocore would ask for an MFA code on the terminal's stdin (which the reader child
process does not have, and which the UI owns): the UI asks in a dialog instead
and the role is assumed here, its temporary credentials handed to the
connection (`ConnectionSettings.credentials`). Calls block: run them in workers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ecr_tui.core.contexts import Profile
from ecr_tui.core.errors import UserFacingError

# The session name the assumed role's calls carry in CloudTrail.
ROLE_SESSION_NAME = "ecr-tui"


@dataclass(frozen=True)
class RoleCredentials:
    """A role's temporary credentials, and when STS said they stop working."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str = field(repr=False)
    expiration: datetime | None  # (aware; None: STS did not say)

    @property
    def keys(self) -> tuple[str, str, str]:
        """What a connection signs with (`ConnectionSettings.credentials`)."""
        return (self.access_key_id, self.secret_access_key, self.session_token)


def why_no_credentials(profile: Profile) -> str | None:
    """None when botocore finds credentials for `profile`; else why not, in words.

    Nothing is sent for static keys, roles, SSO or credential_process (they resolve
    when first used); a profile that names none of them falls back to botocore's
    chain (container and instance roles), which may ask the local metadata service.
    """
    import boto3
    import botocore.exceptions

    try:
        credentials = boto3.Session(profile_name=profile.name).get_credentials()
    except botocore.exceptions.BotoCoreError as error:  # a half-written profile, say
        return f"profile {profile.name}: {error}"
    if credentials is not None:
        return None
    return (
        f"profile {profile.name} has no credentials: it names no access keys, role_arn, "
        "SSO session or credential_process, and no container or instance role answers. "
        f"Add them (aws configure --profile {profile.name}), or choose another profile."
    )


class MfaCodeRefused(UserFacingError):
    """STS refused the MFA code (wrong, or already used): another code may do."""


def assume_role_with_mfa(
    profile: Profile, code: str, sts_endpoint_url: str | None, region: str
) -> RoleCredentials:
    """The role's temporary credentials, and when they expire, with MFA `code`.

    Raises `MfaCodeRefused` saying what to do when STS refuses the code.
    """
    import boto3
    import botocore.exceptions

    if profile.role_arn is None or profile.mfa_serial is None:
        raise ValueError(f"profile {profile.name} is not a role behind MFA")
    source = boto3.Session(profile_name=profile.source_profile or None, region_name=region)
    # The profile's own endpoint (botocore's endpoint_url applies to STS too), else the
    # one the command line named, else AWS's.
    endpoint = profile.endpoint_url or sts_endpoint_url
    sts: Any = source.client("sts", endpoint_url=endpoint)
    try:
        answer = sts.assume_role(
            RoleArn=profile.role_arn,
            RoleSessionName=ROLE_SESSION_NAME,
            SerialNumber=profile.mfa_serial,
            TokenCode=code,
        )
    except botocore.exceptions.ClientError as error:
        message = str(error.response.get("Error", {}).get("Message", ""))
        if "MultiFactorAuthentication" in message or "MFA" in message:
            raise MfaCodeRefused(
                "MFA code not accepted",
                f"AWS refused the code for {profile.mfa_serial} ({message.strip().rstrip('.')}). "
                "Codes change every 30 seconds and each works once: type the one your "
                "device shows now.",
            ) from None
        raise
    credentials = answer["Credentials"]
    expiration = credentials.get("Expiration")  # (botocore parses it: an aware datetime)
    return RoleCredentials(
        str(credentials["AccessKeyId"]),
        str(credentials["SecretAccessKey"]),
        str(credentials["SessionToken"]),
        expiration if isinstance(expiration, datetime) else None,
    )
