"""A fan-out of DescribeImageScanFindings over the images in scope: `FleetScan`.

Basic scanning has no registry-wide query: each image's findings are one
call (a page of 1,000 findings). The fan-out lists the repositories, then each
repository's images (DescribeImages carries each image's scan summary), and
asks for findings only where the summary says there are some the scope keeps:
calls are the minimum, one per findings page. Calls run on a bounded pool of
threads (boto3 clients are thread-safe); throttling halves the pool's pace and
the call is asked again after a back-off, so a throttled run is slower but
complete. Reports are handed over as they arrive; `cancel` stops it at once.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from ecr_tui.core.errors import explain_error
from ecr_tui.core.fleet.coverage import Coverage
from ecr_tui.core.fleet.groups import FleetFindings
from ecr_tui.core.fleet.scope import Scope
from ecr_tui.core.media_types import INDEX_MEDIA_TYPES
from ecr_tui.core.models import Image, ScanReport

if TYPE_CHECKING:
    from ecr_tui.core.ecr import EcrService

T = TypeVar("T")

# Calls in flight at most: ECR's DescribeImageScanFindings is rated at a few
# tens of calls a second per account; more threads only wait on throttling.
DEFAULT_CONCURRENCY = 16
# The error codes AWS throttles with (ECR, and the APIs behind the same client).
THROTTLING_CODES = frozenset(
    {"ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded"}
)
# Back-off after throttling: doubles from the first to the last, with jitter.
# Time left is told once it can be: after a 50th of the reports and 2 s of reading
# (the first answers come faster than the pace, and Inspector's pages are uneven).
ESTIMATE_AFTER_SHARE = 50
ESTIMATE_AFTER_SECONDS = 2.0
FIRST_BACKOFF = 0.2
LAST_BACKOFF = 10.0


class Cancelled(Exception):
    """The fan-out was cancelled while this call waited."""


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a fan-out is: what the progress bar shows."""

    repositories_listed: int
    repositories: int | None  # None until the repository listing is complete
    reports_done: int
    reports: int  # reports to read, as far as the listings so far say
    calls: int
    throttled: int  # calls throttled (each was asked again)
    concurrency: int  # calls allowed in flight now
    elapsed: float
    finished: bool
    cancelled: bool
    reading: float = 0.0  # seconds since the first report was read
    failed: bool = False  # it stopped on a failure (the problems say which) before the end

    @property
    def listing(self) -> bool:
        """Repositories are still being listed: the total may grow."""
        return self.repositories is None or self.repositories_listed < self.repositories

    @property
    def seconds_left(self) -> float | None:
        """Time left at the pace so far; None while it cannot be told (listing, too little
        read yet, or no reading time measured: a progress without `reading` has no pace)."""
        if self.finished or self.listing or self.reading <= 0.0:
            return None
        if self.reports_done < max(2, self.reports // ESTIMATE_AFTER_SHARE):
            return None
        if self.reading < ESTIMATE_AFTER_SECONDS:
            return None
        pace = self.reading / (self.reports_done - 1)  # from the first report read on
        return pace * (self.reports - self.reports_done)

    def line(self) -> str:
        """One line: "reports 1,234/10,000 · 210 calls · ~42 s left"."""
        return self.phase_line("", "reports")

    def phase_line(self, phase: str, noun: str) -> str:
        """The line of one phase of a triage, named: "Amazon Inspector: findings 10/40 · ..."."""
        lead = f"{phase}: " if phase else ""
        # No total yet (Inspector counts its findings first): "?", not a 0 that reads as done.
        total = f"{self.reports:,}" if self.reports or self.finished else "?"
        if self.listing:
            listed = "?" if self.repositories is None else f"{self.repositories:,}"
            head = f"{lead}listing repositories {self.repositories_listed:,}/{listed}"
            head += f" · {noun} {self.reports_done:,}/{self.reports:,}+"
        else:
            head = f"{lead}{noun} {self.reports_done:,}/{total}"
        parts = [head, f"{self.calls:,} calls"]
        if self.throttled:
            parts.append(f"throttled {self.throttled:,} times (pace {self.concurrency})")
        if self.cancelled:
            parts.append("cancelled")
        elif self.failed:
            parts.append(f"stopped after {self.elapsed:.1f} s")
        elif self.finished:
            parts.append(f"done in {self.elapsed:.1f} s")
        elif (left := self.seconds_left) is not None:
            parts.append(f"~{max(left, 1.0):.0f} s left")
        return " · ".join(parts)


class AdaptiveLimit:
    """A semaphore whose size halves on throttling and grows back one by one."""

    def __init__(self, ceiling: int) -> None:
        self.ceiling = max(1, ceiling)
        self.limit = self.ceiling
        self._in_flight = 0
        self._successes = 0
        self._condition = threading.Condition()

    def acquire(self, cancelled: threading.Event) -> None:
        with self._condition:
            while self._in_flight >= self.limit:
                if cancelled.is_set():
                    raise Cancelled
                self._condition.wait(0.1)
            self._in_flight += 1

    def release(self) -> None:
        with self._condition:
            self._in_flight -= 1
            self._condition.notify()

    def throttled(self) -> None:
        with self._condition:
            self.limit = max(1, self.limit // 2)
            self._successes = 0

    def succeeded(self) -> None:
        # Additive increase: one more call in flight after `limit` successes in a row.
        with self._condition:
            self._successes += 1
            if self._successes >= self.limit and self.limit < self.ceiling:
                self.limit += 1
                self._successes = 0
                self._condition.notify()


@dataclass
class FleetResult:
    """What a fan-out found: the grouped findings and the coverage."""

    findings: FleetFindings
    coverage: Coverage
    progress: Progress | None = None
    problems: list[str] = field(default_factory=list)  # listings that failed, in words


class FleetScan:
    """One fan-out over the registry; `run` blocks (call it from a worker thread)."""

    def __init__(
        self,
        service: EcrService,
        scope: Scope,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        now: float | None = None,
        on_report: Callable[[Image, ScanReport | None], None] | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        findings: FleetFindings | None = None,
    ) -> None:
        self.service = service
        self.scope = scope
        self.now = time.time() if now is None else now
        self.concurrency = max(1, concurrency)
        self.limit = AdaptiveLimit(self.concurrency)
        # `findings`: where reports go (the caller's, say one that keeps no groups).
        self.result = FleetResult(findings or FleetFindings(scope), Coverage())
        self._on_report = on_report
        self._on_progress = on_progress
        self._cancelled = threading.Event()
        self._lock = threading.Lock()
        self._report_lock = threading.Lock()
        self._started = time.monotonic()
        self._calls_before = service.api_calls
        self._listed = 0
        self._repositories: int | None = None
        self._reports = 0
        self._done = 0
        self._throttled = 0
        self._finished = False
        self._first_read = 0.0

    # -- control -------------------------------------------------------------------

    def cancel(self) -> None:
        """Stop: no new call starts; calls in flight finish and are dropped."""
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def progress(self) -> Progress:
        """Where the fan-out is now."""
        with self._lock:
            return Progress(
                repositories_listed=self._listed,
                repositories=self._repositories,
                reports_done=self._done,
                reports=self._reports,
                calls=self.service.api_calls - self._calls_before,
                throttled=self._throttled,
                concurrency=self.limit.limit,
                elapsed=time.monotonic() - self._started,
                finished=self._finished,
                cancelled=self.cancelled,
                reading=time.monotonic() - self._first_read if self._first_read else 0.0,
            )

    # -- the run -------------------------------------------------------------------

    def run(self) -> FleetResult:
        """List, select and read every report in scope; return what was found."""
        self._started = time.monotonic()
        pending: set[Future[Any]] = set()
        # Two pools, one limit on calls in flight: reports are read as soon as their
        # repository is listed, not after every repository is (findings stream in).
        with (
            ThreadPoolExecutor(self.concurrency, thread_name_prefix="fleet-list") as listing,
            ThreadPoolExecutor(self.concurrency, thread_name_prefix="fleet-read") as pool,
        ):
            try:
                names = self._repository_names()
                for name in names:
                    pending.add(listing.submit(self._list_repository, pool, pending, name))
                with self._lock:
                    self._repositories = len(names)
                self._report()
                self._drain(pending)
            except Cancelled:
                pass
            except Exception as error:  # the repository listing itself failed
                self.result.problems.append(str(explain_error(error, self._endpoint)))
            finally:
                if self.cancelled:
                    for future in list(pending):
                        future.cancel()
        with self._lock:
            self._finished = True
        self.result.coverage.cancelled = self.cancelled
        self.result.progress = self.progress()
        self._report()
        return self.result

    def _drain(self, pending: set[Future[Any]]) -> None:
        while True:
            with self._lock:
                waiting = set(pending)
            if not waiting:
                return
            done, _ = wait(waiting, timeout=0.2, return_when=FIRST_COMPLETED)
            with self._lock:
                pending.difference_update(done)
            if self.cancelled:
                raise Cancelled

    @property
    def _endpoint(self) -> str | None:
        return self.service.settings.endpoint_url

    def _repository_names(self) -> list[str]:
        names: list[str] = []
        if self.scope.repository:
            return (
                [self.scope.repository]
                if self.scope.keeps_repository(self.scope.repository)
                else []
            )
        for page in self._paced(lambda: list(self.service.repository_pages(self._is_cancelled))):
            names.extend(r.name for r in page if self.scope.keeps_repository(r.name))
        return names

    def _is_cancelled(self) -> bool:
        return self.cancelled

    def _list_repository(
        self, pool: ThreadPoolExecutor, pending: set[Future[Any]], name: str
    ) -> None:
        chosen = self._choose_images(name)
        if chosen is None:
            return
        to_read = []
        for image, platform in chosen:
            if self.scope.may_have_findings(image):
                to_read.append((image, platform))
            else:
                # Nothing to read: not scanned (yet), or no finding the scope keeps.
                self.result.coverage.add_summary_only(image)
        self.result.coverage.expect(len(to_read))
        with self._lock:
            self._listed += 1
            self._reports += len(to_read)
            for image, platform in to_read:
                future = pool.submit(self._read_report, image, platform)
                pending.add(future)
        self._report()

    def _choose_images(self, name: str) -> list[tuple[Image, str]] | None:
        """One repository's images in scope, newest first, each with its platform ("" unless
        it is a tagged index's); None when it could not be listed (or was cancelled)."""
        try:
            images = [
                image
                for page in self._paced(
                    lambda: list(self.service.image_pages(name, self._is_cancelled))
                )
                for image in page
            ]
            platforms = self._index_platforms(name, images)
        except Cancelled:
            return None
        except Exception as error:
            problem = explain_error(error, self._endpoint)
            self.result.problems.append(f"{name}: {problem}")
            self.result.coverage.repository_failed(name, str(problem))
            with self._lock:
                self._listed += 1
            return None
        if platforms:
            images = [
                image._replace(tags=platforms[image.digest][0])
                if image.digest in platforms
                else image
                for image in images
            ]
        return [
            (image, platforms.get(image.digest, ((), ""))[1])
            for image in self.scope.images(images, self.now)
        ]

    def _index_platforms(
        self, repository: str, images: list[Image]
    ) -> dict[str, tuple[tuple[str, ...], str]]:
        """The platform images of tagged indexes: their index's tags and their platform.

        Only needed to tell which untagged images belong to a tagged index (one
        BatchGetImage call per 100 indexes): otherwise they count as they are.
        """
        if not self.scope.tagged_only:
            return {}
        indexes = [i for i in images if i.media_type in INDEX_MEDIA_TYPES and i.tags]
        if not indexes:
            return {}
        tags = {i.digest: i.tags for i in indexes}
        manifests = self._paced(
            lambda: self.service.index_manifests(repository, [i.digest for i in indexes])
        )
        found: dict[str, tuple[tuple[str, ...], str]] = {}
        for manifest in manifests:
            for entry in manifest.entries:
                if not entry.attests and entry.digest not in found:
                    found[entry.digest] = (tags.get(manifest.digest, ()), entry.platform)
        return found

    def _read_report(self, image: Image, platform: str) -> None:
        report: ScanReport | None = None
        try:
            report = self._paced(lambda: self.service.scan_report(image, self._is_cancelled))
        except Cancelled:
            return
        except Exception as error:
            self.result.coverage.read_failed(str(explain_error(error, self._endpoint)))
        if report is not None:
            if self.cancelled:
                return  # a report cut short by the cancel is not a report
            self.result.coverage.add_report(report)
            self.result.findings.add(image, report, platform)
        with self._lock:
            self._done += 1
            if not self._first_read:
                self._first_read = time.monotonic()
        if self._on_report is not None:
            self._on_report(image, report)
        self._report()

    def _paced(self, call: Callable[[], T]) -> T:
        """`call` within the adaptive limit, asked again after throttling until it answers."""
        backoff = FIRST_BACKOFF
        while True:
            if self.cancelled:
                raise Cancelled
            self.limit.acquire(self._cancelled)
            try:
                answer = call()
            except Exception as error:
                if _error_code(error) not in THROTTLING_CODES:
                    raise
                with self._lock:
                    self._throttled += 1
                self.limit.throttled()
            else:
                self.limit.succeeded()
                return answer
            finally:
                self.limit.release()
            # Full jitter: throttled callers spread out instead of coming back together.
            if self._cancelled.wait(random.uniform(backoff / 2, backoff)):
                raise Cancelled
            backoff = min(backoff * 2, LAST_BACKOFF)

    def _report(self) -> None:
        if self._on_progress is not None:
            # Taken and handed over under one lock: a reader never sees the count go back.
            with self._report_lock:
                self._on_progress(self.progress())


def _error_code(error: BaseException) -> str:
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""
