"""How much of the scope a fan-out could see: `Coverage`, and its line.

"findings for 9,412 of 10,000 images; 588 never scanned" is only true when
every image in scope is counted once, in exactly one of: findings known (a
complete scan, read or summarised as empty), a scan state without findings
(never scanned, scanning, failed, unsupported, ...), a read that failed, or
not read at all (the run was cancelled first).
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from ecr_tui.core.models import Image, ScanReport, ScanState, scan_label

# How a state without findings reads in the coverage line.
_STATE_WORDS = {
    ScanState.NOT_SCANNED: "never scanned",
    ScanState.IN_PROGRESS: "scanning",
    ScanState.FAILED: "scan failed",
    ScanState.UNSUPPORTED: "unsupported",
    ScanState.FINDINGS_UNAVAILABLE: "findings unavailable",
    ScanState.ELIGIBILITY_EXPIRED: "scan expired",
    ScanState.LIMIT_EXCEEDED: "scan limit exceeded",
    ScanState.IMAGE_ARCHIVED: "archived",
    ScanState.IMAGE_SIZE_EXCEEDED: "too large to scan",
}


class Coverage:
    """Images in scope, each counted once by what is known of its findings; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.in_scope = 0
        self.with_findings = 0  # a complete scan's findings are known (possibly none)
        self.without_findings: Counter[str] = Counter()  # by the words of its scan state
        self.read_failures: Counter[str] = Counter()  # by the problem, in words
        self.pending = 0  # reports due but not read (yet, or ever when cancelled)
        self.failed_repositories: dict[str, str] = {}
        self.cancelled = False
        self.stopped = False  # the fan-out stopped on a failure: what is pending is not read
        self.restored_notes: tuple[str, ...] = ()  # another process's `notes()` (see `restore`)

    def add_summary_only(self, image: Image) -> None:
        """An image whose summary says there is nothing to read (not scanned, or clean)."""
        with self._lock:
            self.in_scope += 1
            self._count_state(image.scan_state, image.scan_status)

    def expect(self, count: int) -> None:
        """Images in scope whose reports are to be read."""
        with self._lock:
            self.in_scope += count
            self.pending += count

    def add_report(self, report: ScanReport) -> None:
        """An expected report, read."""
        with self._lock:
            self.pending -= 1
            self._count_state(report.state, report.status)

    def add_unread(self, image: Image) -> None:
        """An expected image that turned out to have nothing to read (its state says why)."""
        with self._lock:
            self.pending -= 1
            self._count_state(image.scan_state, image.scan_status)

    def read_failed(self, problem: str) -> None:
        """An expected report that could not be read."""
        with self._lock:
            self.pending -= 1
            self.read_failures[problem] += 1

    def repository_failed(self, repository: str, problem: str) -> None:
        """A repository whose images could not be listed: none of them are in the count."""
        with self._lock:
            self.failed_repositories[repository] = problem

    def state(self) -> tuple[object, ...]:
        """The counts as built-in values (what a reader child sends; see `restore`)."""
        with self._lock:
            return (
                self.in_scope,
                self.with_findings,
                dict(self.without_findings),
                dict(self.read_failures),
                self.pending,
                dict(self.failed_repositories),
                self.cancelled,
                tuple(self.notes()),
            )

    def restore(self, state: tuple[Any, ...]) -> None:
        """Take the counts of another `Coverage`'s `state()`."""
        in_scope, known, without, failures, pending, repositories, cancelled, notes = state
        with self._lock:
            self.restored_notes = tuple(notes)
            self.in_scope, self.with_findings, self.pending = in_scope, known, pending
            self.without_findings = Counter(without)
            self.read_failures = Counter(failures)
            self.failed_repositories = dict(repositories)
            self.cancelled = bool(cancelled)

    def _count_state(self, state: ScanState, status: str) -> None:
        if state is ScanState.COMPLETE:
            self.with_findings += 1
        else:
            self.without_findings[_STATE_WORDS.get(state, scan_label(state, status))] += 1

    def line(self) -> str:
        """The coverage in one line, each image counted once."""
        with self._lock:
            parts = [f"findings for {self.with_findings:,} of {self.in_scope:,} images"]
            # What was not read, and why, before the scan states: a narrow screen cuts the end.
            if self.pending:
                why = " (cancelled)" if self.cancelled else ("" if self.stopped else " yet")
                parts.append(f"{self.pending:,} not read{why}")
            failed = sum(self.read_failures.values())
            if failed:
                parts.append(f"{failed:,} could not be read")
            for words, count in self.without_findings.most_common():
                parts.append(f"{count:,} {words}")
            if self.failed_repositories:
                count = len(self.failed_repositories)
                noun = "repository" if count == 1 else "repositories"
                parts.append(f"{count:,} {noun} could not be listed")
        return "; ".join([*parts, *self.notes()])

    def notes(self) -> list[str]:
        """What a source adds to the line, after the counts (its subclass says)."""
        return list(self.restored_notes)

    @property
    def complete(self) -> bool:
        """Every image in scope accounted for, and every repository listed."""
        with self._lock:
            return not (
                self.pending or self.read_failures or self.failed_repositories or self.cancelled
            )
