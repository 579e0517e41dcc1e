"""A fleet triage that runs beside the UI: the fan-out, its findings, and their filters.

The fan-out reads with the scope's image filters only, and keeps every finding
(`raw`); what the view shows (`shown`) is `raw` under the findings filters.
Changing a findings filter then refilters what was read, with no call; changing
an image filter starts a new fan-out. Reports come in on the fan-out's threads;
the view reads `shown` and `progress` on its own clock, so no key waits for them.

With the app's reader, the triage (Amazon Inspector's queries or the fan-out,
see `SourcedScan`) runs in the reader's child process (`RemoteFleetScan`): the
answers are parsed there, not under the GIL of the keys, and reports come in
batches. Without one (tests, scripts), it runs on threads of this process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from ecr_tui.core.fleet.fanout import Progress
from ecr_tui.core.fleet.finding_table import FindingTable
from ecr_tui.core.fleet.groups import FleetFindings
from ecr_tui.core.fleet.remote_scan import Arrived, FleetReader, RemoteFleetScan
from ecr_tui.core.fleet.scope import Scope
from ecr_tui.core.fleet.source import SourcedScan
from ecr_tui.core.models import Image, ScanReport

if TYPE_CHECKING:
    from ecr_tui.core.ecr import EcrService


# Calls in flight when the fan-out runs in this process: fewer than the headless
# export's, as every answer is parsed in threads that share the GIL with the keys.
VIEW_CONCURRENCY = 3
# In the reader's child the answers are parsed away from the keys' GIL, but on the
# same cores: 6 read a 1,200-report fan-out twice as fast as the 3 in-process; 16
# were a little faster still, with the keys' p99 about twice as slow (on 2 cores).
CHILD_CONCURRENCY = 6


class FleetSession:
    """One fan-out and what the view shows of it; thread-safe."""

    def __init__(
        self,
        service: EcrService,
        scope: Scope,
        now: float | None = None,
        reader: FleetReader | None = None,
    ) -> None:
        self.scope = scope
        # The context read (the view's title names its account and region).
        self.service = service
        self._lock = threading.Lock()
        # Every finding of the images read, ungrouped: `shown` groups what it keeps.
        # The reader's child sends one finding a fleet key: no table to make them so.
        table = FindingTable(distinct=reader is not None)
        raw = FleetFindings(scope.images_only(), grouped=False, table=table)
        # Amazon Inspector for an enhanced registry, else the fan-out (chosen when it
        # runs): in the reader's child when there is one, so that their answers are
        # parsed away from the keys.
        self.scan: SourcedScan | RemoteFleetScan
        if reader is not None:
            self.scan = RemoteFleetScan(
                reader,
                scope.images_only(),
                concurrency=CHILD_CONCURRENCY,
                now=now,
                on_reports=self._arrived_batch,
                findings=raw,
            )
        else:
            self.scan = SourcedScan(
                service,
                scope.images_only(),
                concurrency=VIEW_CONCURRENCY,
                now=now,
                on_report=self._arrived,
                findings=raw,
            )
        self.raw = self.scan.result.findings
        self.shown = FleetFindings(scope, epss=self.raw.epss, table=self.raw.table)
        # Bumped whenever `shown` changes: the view rebuilds its rows when it moved.
        self.version = 0
        # Shown again after another scope's read (see ui/fleet/reads.py): its reports
        # are as old as its read, and the coverage line says so.
        self.reused = False

    @property
    def read_at(self) -> float:
        """When this read started (epoch seconds): its reports were read from then on,
        and "pulled in the last N days" counts from it."""
        return self.scan.now

    def run(self) -> None:
        """The fan-out, to the end or the cancel (blocks: call from a worker thread)."""
        self.scan.run()
        with self._lock:
            self.version += 1

    def cancel(self) -> None:
        """Stop the fan-out; what was read stays."""
        self.scan.cancel()

    @property
    def progress(self) -> Progress:
        return self.scan.progress()

    @property
    def coverage_line(self) -> str:
        """The source that answered, and its coverage ("Amazon Inspector: findings for ...")."""
        return f"{self.scan.source}: {self.scan.result.coverage.line()}"

    @property
    def complete(self) -> bool:
        return self.scan.result.coverage.complete

    @property
    def problems(self) -> list[str]:
        """What went wrong, in words; first, why Inspector did not answer an enhanced registry."""
        fallback = self.scan.fallback
        first = [f"read image by image: {fallback}"] if fallback else []
        return first + list(self.scan.result.problems)

    def _arrived(self, image: Image, report: ScanReport | None) -> None:
        if report is None:
            return
        with self._lock:
            self.shown.add(image, report, self.raw.platform_of(image))
            self.version += 1

    def _arrived_batch(self, reports: list[Arrived]) -> None:
        # One lock and one version for the batch: the view rebuilds once for all of it.
        with self._lock:
            for image, findings, platform in reports:
                self.shown.add_findings(image, findings, platform)
            self.version += 1

    def refilter(self, scope: Scope) -> None:
        """Show what was read under `scope`'s findings filters (its image filters must be
        this session's: see `same_images`). Blocks for a moment: call from a worker."""
        with self._lock:
            self.shown = self.raw.refiltered(scope)
            self.scope = scope
            self.version += 1

    def held_bytes(self) -> int:
        """About what this read's findings cost the UI process (measured: some 640 bytes a
        distinct finding, 64 an image's finding; see ui/fleet/reads.py)."""
        scan = self.scan
        distinct = (
            scan.distinct_findings if isinstance(scan, RemoteFleetScan) else len(self.raw.table)
        )
        return distinct * 640 + self.raw.finding_count * 64

    def same_images(self, scope: Scope) -> bool:
        """Whether `scope` reads the same images as this session (no new fan-out needed)."""
        return scope.images_only() == self.scope.images_only()

    def read(self, how: Callable[[FleetFindings], object]) -> object:
        """`how(shown)` with `shown` as it is now."""
        with self._lock:
            shown = self.shown
        return how(shown)
