"""`EcrState`: what the ECR operations answered here share, and lookups in moto's backend.

The ECR data itself stays in moto's backend; this holds our account and
region, the lock around moto's models, the clock, and the login of the
registry behind the demo.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from typing import Any

from moto.backends import get_backend

from ecr_tui.demo.data.scans import ScanProfile
from ecr_tui.demo.moto_patches.repositories import repository_named

# The account the request being answered is for: the one its signing key belongs to
# (a role assumed in another account), set by the gateway for each request.
REQUEST_ACCOUNT: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "demo_request_account", default=None
)


class EcrState:
    """Our account, region and clock, the lock around moto's models, the registry's login."""

    def __init__(
        self,
        account_id: str,
        region: str,
        scan_seconds: float,
        password: str,
        clock: Callable[[], float],
        restore_seconds: float = 30.0,
    ) -> None:
        self.home_account_id = account_id
        self.clock = clock
        self.region = region
        self.scan_seconds = scan_seconds
        # How long a restore from the archive takes (ECR: up to 20 minutes).
        self.restore_seconds = restore_seconds
        self.password = password
        self.registry_host: str | None = None
        # moto's ECR models are plain lists and dicts: one lock serializes every change.
        self.lock = threading.RLock()
        # Clear while images are still being seeded: only the repositories are
        # listed then (see Gateway), every other answer waits until it is whole.
        self.images_seeded = threading.Event()
        self.images_seeded.set()
        # Set once a DescribeRepositories has been answered (see `LocalEcr.seed_images`).
        self.repositories_listed = threading.Event()
        # The (account, region) pairs still being seeded beside ours (see demo.contexts):
        # their requests wait for `contexts_seeded`.
        self.seeding_contexts: frozenset[tuple[str, str]] = frozenset()
        self.contexts_seeded = threading.Event()
        self.contexts_seeded.set()
        # The member accounts whose Inspector findings our account sees, as their
        # delegated administrator (see LocalEcr.administer_inspector): none by default.
        self.inspector_members: tuple[str, ...] = ()

    @property
    def account_id(self) -> str:
        """The account of the request being answered (see REQUEST_ACCOUNT), else ours."""
        return REQUEST_ACCOUNT.get() or self.home_account_id

    def backend(self, region: str | None = None) -> Any:
        """moto's ECR backend for our account in `region`."""
        return get_backend("ecr")[self.account_id][region or self.region]

    def repository(self, backend: Any, name: Any, registry_id: Any = None) -> Any:
        """The moto repository, or ECR's RepositoryNotFoundException."""
        return repository_named(backend, name, registry_id or self.account_id)

    def profile(self, repository: Any) -> ScanProfile:
        """How the repository's images scan (repositories made at run time hold Debian)."""
        profile: ScanProfile | None = getattr(repository, "scan_profile", None)
        if profile is None:
            profile = ScanProfile.default(repository.name)
            repository.scan_profile = profile
        return profile

    def adopt_repository(self, repository: Any) -> None:
        """Make moto's repository look like ECR's: its URI and scanning settings."""
        home = (self.account_id, repository.region_name) == (self.home_account_id, self.region)
        if self.registry_host is not None and home:
            # The registry behind the demo holds our account's region only: another
            # context's repositories keep ECR's own URIs (Docker cannot reach them).
            repository.uri = f"{self.registry_host}/{repository.name}"
        registry = self.backend(repository.region_name).registry_scanning_configuration
        if registry.get("scanType") == "ENHANCED":
            # moto applied the registry's rules (MANUAL where none names the
            # repository): the registry's setting is the one that counts.
            frequency = repository.scanning_config["scanFrequency"]
            repository.scanning_config["scanOnPush"] = frequency != "MANUAL"
            return
        scan_on_push = bool(repository.image_scanning_configuration.get("scanOnPush"))
        frequency = "SCAN_ON_PUSH" if scan_on_push else "MANUAL"
        if self.profile(repository).enhanced:
            frequency = "CONTINUOUS_SCAN"
            repository.scanning_config["appliedScanFilters"] = [
                {"filter": repository.name, "filterType": "WILDCARD"}
            ]
        repository.scanning_config["scanOnPush"] = scan_on_push
        repository.scanning_config["scanFrequency"] = frequency
