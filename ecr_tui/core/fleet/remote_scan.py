"""The view's fleet triage, run in the reader child process: `RemoteFleetScan`.

In the UI process, botocore parsed every findings report under the GIL the
keys need (key p99 70-80 ms during a 10,000-report fan-out). Here the child
that reads the listings (`remote_reader`, already started and connected to
the context) runs the `SourcedScan` (Amazon Inspector's queries, or the
fan-out: their answers are parsed there too), and every `FLUSH_SECONDS` sends one batch of
built-in values: the findings it has not sent before (pickled once each:
images built on one base share most of theirs), then per report the image as
a row, its platform and its findings as numbers into that list, then the
progress, the coverage, which source answers and EPSS scores. The UI process
only turns numbers into the findings it already has.

`RemoteFleetScan` offers what `FleetSession` uses of a `FleetScan`: `run`,
`cancel`, `progress()` and `result` (its findings, coverage and problems).
"""

from __future__ import annotations

import dataclasses
import pickle
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from ecr_tui.core.errors import ContextSwitched, UserFacingError
from ecr_tui.core.fleet.coverage import Coverage
from ecr_tui.core.fleet.fanout import FleetResult, Progress
from ecr_tui.core.fleet.finding_table import fleet_key, without_instance
from ecr_tui.core.fleet.groups import FleetFindings
from ecr_tui.core.fleet.scope import Scope
from ecr_tui.core.fleet.source import SourcedScan
from ecr_tui.core.models import Finding, Image, ScanReport

# How often the child sends what arrived: often enough for rows to stream in,
# seldom enough that the UI process folds reports in a few large batches.
FLUSH_SECONDS = 0.15
# How soon the child sees a cancel (the UI's reader passes it on within 0.1 s).
CANCEL_POLL_SECONDS = 0.02
# The scope fields that choose images: the child reads with those only.
IMAGE_FIELDS = (
    "repository",
    "repository_pattern",
    "image",
    "tagged_only",
    "newest_per_repository",
    "pulled_within_days",
)

# One report as sent: the image's fields, its platform, its findings' numbers.
ReportRow = tuple[tuple[Any, ...], str, tuple[int, ...]]
# What arrives per report on the UI side.
Arrived = tuple[Image, list[Finding], str]


class FleetReader(Protocol):
    """The reader that can run a fan-out in its child (`RemoteReader`)."""

    def fleet_scan(
        self, arguments: tuple[Any, ...], is_cancelled: Callable[[], bool]
    ) -> Iterator[Any]: ...


def scan_arguments(scope: Scope, now: float, concurrency: int) -> tuple[Any, ...]:
    """The request: the scope's image filters, the moment "newest" and "pulled" count from."""
    fields = tuple((name, getattr(scope, name)) for name in IMAGE_FIELDS)
    return (fields, now, concurrency)


# -- the child's side -------------------------------------------------------------


class _Outbox(FleetFindings):
    """Where the child's scan puts reports: kept only until the next batch."""

    def __init__(self, scope: Scope) -> None:
        super().__init__(scope, grouped=False)
        self._numbers: dict[tuple[object, ...], int] = {}
        self._new: list[Finding] = []
        self._reports: list[ReportRow] = []
        self._epss: dict[str, float] = {}

    def add(self, image: Image, report: ScanReport, platform: str = "") -> int:
        with self._lock:
            numbers = tuple(self._number(finding) for finding in report.findings)
            self._reports.append((tuple(image), platform, numbers))
        return len(numbers)

    def _number(self, finding: Finding) -> int:
        # By the fleet's key: the UI process keeps one of those findings anyway, and
        # each one's own ARN and times would cost a pickled finding an image.
        key = fleet_key(finding)
        number = self._numbers.get(key)
        if number is None:
            number = self._numbers[key] = len(self._numbers)
            self._new.append(without_instance(finding))
        return number

    def add_epss(self, cve: str, epss: float) -> None:
        with self._lock:
            self._epss[cve] = max(epss, self._epss.get(cve, 0.0))

    def take(self) -> tuple[bytes, list[ReportRow], dict[str, float]]:
        """The findings not sent yet (pickled), the reports and EPSS scores since the
        last take."""
        with self._lock:
            new, self._new = self._new, []
            reports, self._reports = self._reports, []
            epss, self._epss = self._epss, {}
        return (pickle.dumps(new) if new else b""), reports, epss


def serve_fleet_scan(
    service: Any,
    arguments: tuple[Any, ...],
    send: Callable[[object], None],
    is_cancelled: Callable[[], bool],
) -> None:
    """Run the triage `arguments` asks for, sending batches until it ends (child side)."""
    fields, now, concurrency = arguments
    scope = Scope(**dict(fields))
    outbox = _Outbox(scope)
    scan = SourcedScan(service, scope, concurrency=concurrency, now=now, findings=outbox)
    worker = threading.Thread(target=scan.run, name="fleet-scan", daemon=True)
    worker.start()
    flushed = time.monotonic()
    while worker.is_alive():
        worker.join(CANCEL_POLL_SECONDS)
        if is_cancelled():
            scan.cancel()
            return  # nobody reads the rest: the calls in flight end by themselves
        if time.monotonic() - flushed >= FLUSH_SECONDS:
            _send_batch(scan, outbox, send)
            flushed = time.monotonic()
    _send_batch(scan, outbox, send)


def _send_batch(scan: SourcedScan, outbox: _Outbox, send: Callable[[object], None]) -> None:
    # The progress before the reports: the rows are never behind the counts.
    progress = dataclasses.astuple(scan.progress())
    coverage = scan.result.coverage.state()
    new, reports, epss = outbox.take()
    answered = (scan.source, scan.fallback)
    send((new, reports, progress, coverage, tuple(scan.result.problems), answered, epss))


# -- the UI's side -------------------------------------------------------------------


class RemoteFleetScan:
    """A triage run by the reader child; `run` blocks (call it from a worker thread).

    `source` and `fallback` are the child's `SourcedScan`'s, as it last said."""

    def __init__(
        self,
        reader: FleetReader,
        scope: Scope,
        *,
        concurrency: int,
        now: float | None = None,
        on_reports: Callable[[list[Arrived]], None] | None = None,
        findings: FleetFindings | None = None,
    ) -> None:
        self.reader = reader
        self.scope = scope
        self.concurrency = concurrency
        self.now = time.time() if now is None else now
        self.result = FleetResult(findings or FleetFindings(scope), Coverage())
        self._on_reports = on_reports
        self._cancelled = threading.Event()
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._progress: Progress | None = None
        self._ended: float | None = None  # when `run` returned (monotonic)
        self._failed = False  # it ended on a failure, not at the end or the cancel
        self._findings: list[Finding] = []  # the child's numbers index this list
        self.source = "choosing the source"
        self.fallback = ""

    def cancel(self) -> None:
        """Stop at once: the child is told, and nothing it sends from now on counts."""
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def progress(self) -> Progress:
        """Where the fan-out is, as the child last said (finished and cancelled: now)."""
        with self._lock:
            last, ended = self._progress, self._ended
        if last is None:
            last = Progress(0, None, 0, 0, 0, 0, self.concurrency, 0.0, False, False)
        if last.finished:
            return last
        return dataclasses.replace(
            last,
            elapsed=(ended or time.monotonic()) - self._started,
            finished=ended is not None,
            cancelled=self.cancelled,
            failed=self._failed,
        )

    def run(self) -> FleetResult:
        """Ask the child, take its batches until the end or the cancel; return what was found."""
        self._started = time.monotonic()
        arguments = scan_arguments(self.scope, self.now, self.concurrency)
        try:
            for batch in self.reader.fleet_scan(arguments, self._is_cancelled):
                if self.cancelled:
                    break
                self._take(*batch)
        except UserFacingError as error:  # the child failed, or stopped: say so, and end
            self._stopped(str(error))
        except ContextSwitched:  # what was read is the context before's: not current
            self._stopped(
                "The context changed while reading: press r to read this context's findings."
            )
        except Exception as error:  # a batch that could not be read: said, never a hang
            self._stopped(
                f"Reading the findings failed ({type(error).__name__}: {error}): press r to retry."
            )
        with self._lock:
            self._ended = time.monotonic()
        self.result.coverage.cancelled = self.cancelled
        self.result.progress = self.progress()
        return self.result

    def _is_cancelled(self) -> bool:
        return self.cancelled

    @property
    def distinct_findings(self) -> int:
        """The distinct findings received (one object each, shared by the images)."""
        return len(self._findings)

    def _stopped(self, problem: str) -> None:
        self.result.problems.append(problem)
        self.result.coverage.stopped = True
        self._failed = True

    def _take(
        self,
        new: bytes,
        reports: list[ReportRow],
        progress: tuple[Any, ...],
        coverage: tuple[Any, ...],
        problems: tuple[str, ...],
        answered: tuple[str, str],
        epss: dict[str, float],
    ) -> None:
        self.source, self.fallback = answered
        for cve, score in epss.items():  # before the reports: their rows show it at once
            self.result.findings.add_epss(cve, score)
        if new:
            self._findings.extend(pickle.loads(new))
        findings = self._findings
        arrived = [
            (Image._make(row), [findings[n] for n in numbers], platform)
            for row, platform, numbers in reports
        ]
        for image, found, platform in arrived:
            self.result.findings.add_findings(image, found, platform)
        self.result.coverage.restore(coverage)
        self.result.problems[:] = problems
        with self._lock:
            self._progress = Progress(*progress)
        if arrived and self._on_reports is not None:
            self._on_reports(arrived)
