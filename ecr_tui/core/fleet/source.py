"""Which source answers a fleet triage: Amazon Inspector or the fan-out (`SourcedScan`).

A registry with enhanced scanning (GetRegistryScanningConfiguration's scanType
ENHANCED) is answered by Inspector, in a few paged calls; a basic one by the
fan-out of DescribeImageScanFindings. Tagged only and the newest N per
repository need each repository's image list: ECR lists and chooses the images,
Inspector answers for those (`InspectorImagesScan`). Inspector may refuse
the caller: then the fan-out answers, and `source` says why. The
choice takes calls, so it is made in `run` (a worker thread), never when the
scan is made: the surface is FleetScan's, for the view's session and the export.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from ecr_tui.core.fleet.coverage import Coverage
from ecr_tui.core.fleet.fanout import DEFAULT_CONCURRENCY, FleetResult, FleetScan, Progress
from ecr_tui.core.fleet.groups import FleetFindings
from ecr_tui.core.fleet.inspector import SOURCE, InspectorScan, InspectorUnavailable
from ecr_tui.core.fleet.inspector_images import InspectorImagesScan
from ecr_tui.core.fleet.scope import Scope
from ecr_tui.core.models import Image, ScanReport

if TYPE_CHECKING:
    from ecr_tui.core.ecr import ConnectionSettings, EcrService

# auto: Inspector when the registry is enhanced; inspector: Inspector or nothing;
# scan-findings: always the fan-out.
SourceChoice = Literal["auto", "inspector", "scan-findings"]
SOURCES: tuple[SourceChoice, ...] = ("auto", "inspector", "scan-findings")
FAN_OUT = "DescribeImageScanFindings"


class SourcedScan:
    """A fleet triage whose source is chosen when it runs; FleetScan's surface."""

    def __init__(
        self,
        service: EcrService,
        scope: Scope,
        *,
        source: SourceChoice = "auto",
        concurrency: int = DEFAULT_CONCURRENCY,
        now: float | None = None,
        on_report: Callable[[Image, ScanReport | None], None] | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        findings: FleetFindings | None = None,
    ) -> None:
        self.service = service
        self.scope = scope
        self.choice = source
        self.concurrency = concurrency
        self.now = time.time() if now is None else now
        self._on_report = on_report
        self._on_progress = on_progress
        self._findings = findings or FleetFindings(scope)
        self._placeholder = FleetResult(self._findings, Coverage())
        self._inner: InspectorScan | FleetScan | None = None
        self._cancelled = threading.Event()
        self._started = time.monotonic()
        # Which source answered, in words (the view's coverage line starts with it).
        self.source = "choosing the source"
        # Why the fan-out answers an enhanced registry, when it does ("" otherwise).
        self.fallback = ""

    def answered_by(self) -> str:
        """Which source answered, and why the fan-out did when Inspector could not."""
        if isinstance(self._inner, _FanOutExcept):
            return f"source: {SOURCE}, and {FAN_OUT} for the repositories it does not scan"
        if self.fallback:
            return f"source: {self.source}, as {self.fallback}"
        return f"source: {self.source}"

    @property
    def result(self) -> FleetResult:
        inner = self._inner
        return self._placeholder if inner is None else inner.result

    def cancel(self) -> None:
        self._cancelled.set()
        if self._inner is not None:
            self._inner.cancel()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def progress(self) -> Progress:
        inner = self._inner
        if inner is not None:
            return inner.progress()
        return Progress(0, None, 0, 0, 0, 0, self.concurrency, 0.0, False, self.cancelled)

    def run(self) -> FleetResult:
        """Choose the source, then read; Inspector refusing falls back to the fan-out."""
        self._started = time.monotonic()
        use_inspector = self._choose()
        if use_inspector and not self.cancelled:
            inspector = self._inspector_scan()
            self._inner = inspector
            if self.cancelled:  # while its account was asked: `cancel` did not see it
                inspector.cancel()
            self.source = InspectorScan.source
            try:
                result = inspector.run()
            except InspectorUnavailable as unavailable:
                if self.choice == "inspector":
                    inspector.result.problems.append(unavailable.line())
                    return inspector.result
                self.fallback = unavailable.line()
            else:
                if self.choice == "inspector" or not inspector.home_account or self.cancelled:
                    return result
                return self._rest_of_registry(inspector)
        return self._fan_out()

    def _inspector_scan(self) -> InspectorScan:
        """Inspector's scan for the scope: tagged only and the newest N need ECR's image lists."""
        common: dict[str, Any] = {
            "now": self.now,
            "on_report": self._on_report,
            "on_progress": self._on_progress,
            "findings": self._findings,
            "home_account": self._home_account(),
        }
        if self.scope.tagged_only or self.scope.newest_per_repository is not None:
            return InspectorImagesScan(
                self.service, self.scope, concurrency=self.concurrency, **common
            )
        return InspectorScan(self.service, self.scope, **common)

    def _rest_of_registry(self, inspector: InspectorScan) -> FleetResult:
        """The caller's repositories Inspector does not scan, read by the fan-out into the same
        result (on AWS their images are not scanned at all: the coverage line says so)."""
        scanned = frozenset(inspector.coverage.scanned_repositories)
        listed = getattr(inspector, "unscanned", None)  # ECR's listing, when it was read
        if listed == []:
            return inspector.result  # Inspector scans every repository in scope
        scan = _FanOutExcept(
            scanned,
            listed,
            self.service,
            self.scope,
            concurrency=self.concurrency,
            now=self.now,
            on_report=self._on_report,
            on_progress=self._on_progress,
            findings=self._findings,
        )
        scan.result = inspector.result  # one answer: the same findings, coverage and problems
        self._inner = scan
        self.source = f"{InspectorScan.source} + {FAN_OUT}"
        if self.cancelled:
            scan.cancel()
        return scan.run()

    def _fan_out(self) -> FleetResult:
        scan = FleetScan(
            self.service,
            self.scope,
            concurrency=self.concurrency,
            now=self.now,
            on_report=self._on_report,
            on_progress=self._on_progress,
            findings=self._findings,
        )
        if self.cancelled:
            scan.cancel()
        self._inner = scan
        self.source = FAN_OUT
        return scan.run()

    def _choose(self) -> bool:
        """Whether Inspector answers: by the choice, the registry's scanning and the scope."""
        if self.choice == "scan-findings":
            return False
        if not _inspector_speaks_for(self.service.settings):
            self.fallback = (
                "the ECR endpoint is not AWS's: Amazon Inspector would answer for another registry"
            )
            return False
        if self.choice == "auto":
            try:
                scan_type = self.service.registry_scanning().scan_type
            except Exception as error:  # not allowed to read it: the fan-out works either way
                code = getattr(error, "response", {}).get("Error", {}).get("Code", "")
                self.fallback = "the registry's scanning configuration could not be read"
                self.fallback += f" ({code})" if code else ""
                return False
            if scan_type != "ENHANCED":
                return False
        return True

    def _home_account(self) -> str:
        """The caller's account: a finding of another one is shown with its account.

        STS says (not at the demo's endpoint unless it is named: the demo's keys are
        not AWS's), else ECR's DescribeRegistry; "" when neither answers.
        """
        settings = self.service.settings
        if not settings.demo or settings.sts_endpoint_url:
            try:
                identity = self.service.client("sts").get_caller_identity()
                return str(identity.get("Account", ""))
            except Exception:  # STS unreachable or not allowed: ask ECR
                pass
        try:
            return str(self.service.ecr.describe_registry().get("registryId", ""))
        except Exception:  # not in AWS's read-only ECR policy: every account is then named
            return ""


def _inspector_speaks_for(settings: ConnectionSettings) -> bool:
    """Whether AWS's Inspector (or the demo's) speaks for the registry these settings read.

    A local ECR endpoint (not AWS's, not the demo's) is another registry than the
    account's in AWS: Inspector's findings would be about images not on screen.
    A VPC endpoint of ECR (`*.amazonaws.com`) is the account's own registry.
    """
    if settings.demo or not settings.endpoint_url:
        return True
    host = urlsplit(settings.endpoint_url).hostname or ""
    return host.endswith((".amazonaws.com", ".amazonaws.com.cn"))


class _FanOutExcept(FleetScan):
    """The fan-out over the repositories in scope but these (Inspector's); `listed`: the
    repositories in scope, when already listed (not listed again)."""

    def __init__(
        self, skipped: frozenset[str], listed: list[str] | None, *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.skipped = skipped
        self.listed = listed

    def _repository_names(self) -> list[str]:
        names = super()._repository_names() if self.listed is None else self.listed
        return [name for name in names if name not in self.skipped]
