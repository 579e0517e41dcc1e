"""The AWS contexts a user can switch between: profiles and their partition's regions.

Profiles are read the way botocore reads them (`AWS_CONFIG_FILE` and
`AWS_SHARED_CREDENTIALS_FILE` honoured, the credentials file's profiles merged
into the config file's), so the list is exactly what `boto3.Session(profile_name=…)`
accepts. Each profile says what kind of credentials it uses, which decides what a
switch to it may have to ask (an MFA code, an SSO login). Regions come from
botocore's endpoint data: the regions of the partition the profile's region is
in (commercial, China, GovCloud…), where ECR is offered.

Reading the files costs a few milliseconds and never touches the network;
nothing here imports boto3.
"""

from __future__ import annotations

import enum
import hashlib
import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

DEFAULT_PARTITION = "aws"


class CredentialKind(enum.Enum):
    """How a profile gets its credentials, in the order botocore tries them."""

    STATIC = "static keys"
    ASSUME_ROLE = "role"  # role_arn with source_profile or credential_source
    WEB_IDENTITY = "web identity"
    SSO = "SSO"  # sso_session, or the legacy sso_start_url
    PROCESS = "credential_process"
    NONE = "no credentials"  # nothing in the profile: only the environment can help


@dataclass(frozen=True, slots=True)
class Profile:
    """One profile of the AWS config or credentials file."""

    name: str
    kind: CredentialKind
    region: str | None = None
    # ECR's endpoint for this profile: `endpoint_url` in the profile, or `ecr`'s
    # in the `[services NAME]` section it names (botocore's order: the service's first).
    endpoint_url: str | None = None
    mfa_serial: str | None = None
    role_arn: str | None = None
    source_profile: str | None = None
    sso_session: str | None = None  # the `[sso-session NAME]`, when not legacy SSO
    sso_start_url: str | None = None

    @property
    def needs_mfa(self) -> bool:
        """Whether a switch to this profile asks for an MFA code (an assumed role's)."""
        return self.kind is CredentialKind.ASSUME_ROLE and self.mfa_serial is not None

    @property
    def partition(self) -> str:
        """The partition the profile's region is in (`aws` when it names none)."""
        return partition_of(self.region)


def _config() -> dict[str, Any]:
    """botocore's view of both files, read afresh (the user may have edited them).

    As `botocore.session.Session().full_config` builds it (the credentials file's
    profiles merged into the config file's), with botocore's config loader alone:
    importing botocore.session costs about 0.4 s, which a start-up must not pay.
    """
    import botocore.configloader
    import botocore.exceptions

    def path(variable: str, default: str) -> str:
        return os.path.expanduser(os.environ.get(variable) or default)

    try:
        config = botocore.configloader.load_config(path("AWS_CONFIG_FILE", "~/.aws/config"))
    except botocore.exceptions.ConfigNotFound:
        config = {"profiles": {}}
    try:
        credentials = botocore.configloader.raw_config_parse(
            path("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials")
        )
    except botocore.exceptions.ConfigNotFound:
        credentials = {}
    profiles = config.setdefault("profiles", {})
    for name, values in credentials.items():
        profiles.setdefault(name, {}).update(values)
    return config


def list_profiles() -> list[Profile]:
    """Every profile botocore sees, by name."""
    config = _config()
    services = config.get("services", {})
    sso_sessions = config.get("sso_sessions", {})
    return sorted(
        (
            profile_from_section(name, section, services, sso_sessions)
            for name, section in config.get("profiles", {}).items()
        ),
        key=lambda profile: profile.name,
    )


def find_profile(name: str) -> Profile | None:
    """The profile called `name`, or None when botocore does not know it."""
    return next((profile for profile in list_profiles() if profile.name == name), None)


def profile_from_section(
    name: str,
    section: dict[str, Any],
    services: dict[str, Any] | None = None,
    sso_sessions: dict[str, Any] | None = None,
) -> Profile:
    """A profile from its section in botocore's parsed config."""
    services = services or {}
    sso_sessions = sso_sessions or {}
    sso_session = _text(section.get("sso_session"))
    start_url = _text(section.get("sso_start_url"))
    if sso_session and not start_url:
        start_url = _text(sso_sessions.get(sso_session, {}).get("sso_start_url"))
    service_section = services.get(_text(section.get("services")) or "", {})
    ecr_section = service_section.get("ecr", {})
    endpoint = _text(ecr_section.get("endpoint_url") if isinstance(ecr_section, dict) else None)
    return Profile(
        name=name,
        kind=_kind(section),
        region=_text(section.get("region")),
        endpoint_url=endpoint or _text(section.get("endpoint_url")),
        mfa_serial=_text(section.get("mfa_serial")),
        role_arn=_text(section.get("role_arn")),
        source_profile=_text(section.get("source_profile")),
        sso_session=sso_session,
        sso_start_url=start_url,
    )


def _kind(section: dict[str, Any]) -> CredentialKind:
    # botocore's provider chain order for a profile: assume role (role_arn), web
    # identity, SSO, static keys, credential_process.
    if section.get("role_arn"):
        if section.get("web_identity_token_file"):
            return CredentialKind.WEB_IDENTITY
        return CredentialKind.ASSUME_ROLE
    if section.get("web_identity_token_file"):
        return CredentialKind.WEB_IDENTITY
    if section.get("sso_session") or section.get("sso_start_url"):
        return CredentialKind.SSO
    if section.get("aws_access_key_id"):
        return CredentialKind.STATIC
    if section.get("credential_process"):
        return CredentialKind.PROCESS
    return CredentialKind.NONE


def _text(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


# -- regions ---------------------------------------------------------------------


@cache
def _partitions() -> list[dict[str, Any]]:
    import botocore.loaders

    data = botocore.loaders.create_loader().load_data("partitions")
    return list(data["partitions"])


def partition_of(region: str | None) -> str:
    """The partition whose region pattern `region` matches; `aws` for None or unknown."""
    if region:
        for partition in _partitions():
            if region in partition.get("regions", {}):
                return str(partition["id"])
        for partition in _partitions():
            pattern = partition.get("regionRegex")
            if pattern and re.match(pattern, region):
                return str(partition["id"])
    return DEFAULT_PARTITION


@cache
def partition_regions(partition: str) -> tuple[str, ...]:
    """The regions of `partition` where ECR is offered, by name (botocore's endpoint data)."""
    import botocore.session

    regions = botocore.session.Session().get_available_regions("ecr", partition)
    return tuple(sorted(regions))


def regions_for(region: str | None) -> tuple[str, ...]:
    """The regions a user in `region` can switch to: its partition's."""
    return partition_regions(partition_of(region))


# -- SSO -------------------------------------------------------------------------


def sso_cache_dir() -> Path:
    """Where the AWS CLI (and botocore) keep SSO tokens."""
    return Path(os.path.expanduser("~")) / ".aws" / "sso" / "cache"


def sso_token_expiry(profile: Profile) -> datetime | None:
    """When the profile's cached SSO token expires; None when there is no token at all.

    The cache file is named by the SHA-1 of the session's name (`sso_session`
    profiles) or of the start URL (legacy ones), as botocore's token loader names it.
    """
    key = profile.sso_session or profile.sso_start_url
    if profile.kind is not CredentialKind.SSO or not key:
        return None
    path = sso_cache_dir() / (hashlib.sha1(key.encode()).hexdigest() + ".json")
    try:
        token = json.loads(path.read_text(encoding="utf-8"))
        expires = datetime.fromisoformat(str(token["expiresAt"]).replace("Z", "+00:00"))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return expires if expires.tzinfo else expires.replace(tzinfo=UTC)


def sso_login_needed(profile: Profile, now: datetime | None = None) -> bool:
    """Whether the profile is SSO and its token is missing or expired: `aws sso login`."""
    if profile.kind is not CredentialKind.SSO:
        return False
    expiry = sso_token_expiry(profile)
    return expiry is None or expiry <= (now or datetime.now(UTC))
