"""Registry logins: decoded from an ECR token, keyed by host, and when they run out.

Pure records and decoding: logging the daemon in is `LocalDocker.login`
(local_docker.py), keeping a login for the docker CLI is credential_store.py.
The password only lives in `RegistryCredentials`, and never in its repr.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from docker import auth as docker_auth

from ecr_tui.core.docker.errors import DockerActionError

# Log in again when the registry token has less than this left, so that a push
# started now does not die half-way (ECR tokens last 12 hours).
RELOGIN_MARGIN = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class RegistryCredentials:
    """A registry login decoded from an ECR authorization token."""

    registry: str  # the token's proxyEndpoint, e.g. https://123.dkr.ecr.eu-west-1.amazonaws.com
    username: str
    password: str = field(repr=False)
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class LoginState:
    """When the daemon's login to one registry runs out."""

    registry: str  # host[:port], as Docker keys its logins
    expires_at: datetime | None  # None: unknown, so treated as already expired

    def needs_login(self, now: datetime | None = None) -> bool:
        """True when the login is unknown or has less than five minutes left."""
        if self.expires_at is None:
            return True
        now = now or datetime.now(UTC)
        return self.expires_at - now <= RELOGIN_MARGIN


def credentials_from_token(
    authorization_token: str, proxy_endpoint: str, expires_at: datetime | None = None
) -> RegistryCredentials:
    """Decode GetAuthorizationToken's base64 `user:password` into a registry login."""
    try:
        decoded = base64.b64decode(authorization_token, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise DockerActionError(
            "Unreadable ECR token", "the authorization token is not base64 text: ask for a new one."
        ) from None
    username, separator, password = decoded.partition(":")
    if not separator or not username:
        raise DockerActionError(
            "Unreadable ECR token",
            "the authorization token has no user name: ask for a new one.",
        )
    return RegistryCredentials(proxy_endpoint, username, password, expires_at)


def registry_host(registry: str) -> str:
    """The `host[:port]` Docker keys logins by, from a URL or a bare host."""
    return docker_auth.convert_to_hostname(registry.strip())
