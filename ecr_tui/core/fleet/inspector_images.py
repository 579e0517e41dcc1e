"""A scope on each repository's image list, answered by Amazon Inspector: `InspectorImagesScan`.

The newest N per repository and "tagged only" need each repository's image list:
Inspector's coverage has no push time, and tags an image by its own tags only
(a platform image of a tagged multi-platform index reads as untagged there,
while ECR, the fan-out and the user count it as the index's). So each
repository Inspector scans is listed by DescribeImages and its images chosen by
the fan-out's own code (`FleetScan._choose_images`: the same rule, the same
images), then Inspector is asked about those images only, 10 at a time (its
filters take at most 10 values):

- ListCoverage with their `resourceId`s (the image's ARN,
  `arn:aws:ecr:REGION:ACCOUNT:repository/NAME/sha256:...`): scanned or not, and why;
- ListFindings with the `ecrImageHash`es (and their repositories' names, and
  the caller's account) of those whose ECR summary has findings the scope may
  keep (the fan-out's rule: an image without is not asked about), paged by 100.

The two queries of an image run side by side; it is handed over when both have
ended. Batches are filled in the order images are chosen (reports stream in
while ECR is still listed), 10 to a query rather than packed by finding counts:
with 16 queries in flight the pages, not the queries' lengths, bound the time,
and a query's last page is the only one not full, so fewer, longer queries come
nearer the minimum (one ListFindings per 100 findings). Calls: the listing's
(as the fan-out's), one ListCoverage per 10 images, and per 10 images with
findings one ListFindings per 100 of their findings (one at least).

ECR lists only the caller's repositories: under a delegated administrator, the
member accounts' images are not in such a scope (the coverage line says so).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ecr_tui.core.errors import explain_error
from ecr_tui.core.fleet.fanout import DEFAULT_CONCURRENCY, Cancelled, FleetScan, Progress
from ecr_tui.core.fleet.groups import FleetFindings
from ecr_tui.core.fleet.inspector import (
    COVERAGE_PAGE,
    FINDINGS_PAGE,
    SOURCE,
    InspectorScan,
    InspectorUnavailable,
    finding_from_inspector,
    scan_status_from_reason,
    whole_report,
)
from ecr_tui.core.fleet.scope import Scope
from ecr_tui.core.models import Finding, Image, ScanReport, ScanState

if TYPE_CHECKING:
    from ecr_tui.core.ecr import EcrService

BATCH = 10  # ListCoverage's resourceId and ListFindings' ecrImageHash take at most 10 values

# (image, its platform when it is a tagged index's, its resource id)
_Chosen = tuple[Image, str, str]


class InspectorImagesProgress(Progress):
    """The fan-out's progress (repositories listed, images read, time left), from Inspector."""

    def line(self) -> str:
        return f"{SOURCE}: {super().line()}"


@dataclass(frozen=True, slots=True)
class _Batch:
    """Up to 10 chosen images, asked about together: their coverage, or their findings."""

    kind: str  # "coverage" or "findings"
    images: tuple[_Chosen, ...]


class InspectorImagesScan(InspectorScan):
    """A scope with tagged only or the newest N: ECR chooses the images, Inspector answers."""

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
        home_account: str = "",
    ) -> None:
        super().__init__(
            service,
            scope,
            now=now,
            on_report=on_report,
            on_progress=on_progress,
            findings=findings,
            home_account=home_account,
        )
        self.concurrency = concurrency
        # The caller's repositories Inspector scans: name -> its ARN (the images' prefix).
        self._arns: dict[str, str] = {}
        self._lister: _Lister | None = None
        # The repositories in scope Inspector does not scan, as ECR listed them (None
        # until listed): the fan-out reads those, without listing the registry again.
        self.unscanned: list[str] | None = None
        # Chosen, not in a query yet: for their coverage; for their findings.
        self._waiting_coverage: list[_Chosen] = []
        self._waiting_findings: list[_Chosen] = []
        # Each chosen image not handed over yet, by resource id: [chosen, its image as
        # Inspector's coverage says (None: not read yet), its findings (None: not yet)].
        self._parts: dict[str, list[Any]] = {}
        self._chosen = 0
        self._done = 0
        self._first_done = 0.0
        self.coverage.listed_scope = " and ".join(
            w for w in scope.describe() if w.startswith(("newest", "tagged"))
        )

    def progress(self) -> Progress:
        lister = self._lister
        with self._lock:
            listed, repositories, throttled, pace = 0, None, 0, self.concurrency
            if lister is not None:
                listed, repositories = lister.listed_counts()
                throttled, pace = lister.pace()
            return InspectorImagesProgress(
                repositories_listed=listed,
                repositories=repositories,
                reports_done=self._done,
                reports=self._chosen,
                calls=self.service.api_calls - self._calls_before,
                throttled=throttled,
                concurrency=pace,
                elapsed=time.monotonic() - self._started,
                finished=self._finished,
                cancelled=self.cancelled,
                reading=time.monotonic() - self._first_done if self._first_done else 0.0,
            )

    def cancel(self) -> None:
        super().cancel()
        if self._lister is not None:
            self._lister.cancel()

    # -- the run -----------------------------------------------------------------------

    def _read_first(self, inspector: Any) -> None:
        """Which of the caller's repositories Inspector scans (one paged ListCoverage)."""
        if not self.home_account:
            raise InspectorUnavailable(
                f"{SOURCE} cannot tell {self.coverage.listed_scope} without the caller's account "
                "(neither STS nor ECR's DescribeRegistry said it)"
            )
        criteria: dict[str, Any] = {"resourceType": [_equals("AWS_ECR_REPOSITORY")]}
        if self.scope.repository:
            criteria["ecrRepositoryName"] = [_equals(self.scope.repository)]
        records = self._pages(
            inspector.list_coverage,
            "coveredResources",
            maxResults=COVERAGE_PAGE,
            filterCriteria=criteria,
        )
        for record in records:
            name = str(((record.get("resourceMetadata") or {}).get("ecrRepository") or {}).get(
                "name", ""
            ))  # fmt: skip
            if not self.scope.keeps_repository(name):
                continue
            account = str(record.get("accountId", ""))
            if account != self.home_account:
                self.coverage.accounts_left_out.add(account)
            elif self._take_repository(record, name):
                self._arns[name] = str(record.get("resourceId", ""))

    def _read_rest(self, inspector: Any) -> None:
        """List and choose (ECR), then ask Inspector about the chosen, batch by batch."""
        lister = _Lister(
            self,
            inspector,
            self.service,
            self.scope,
            concurrency=self.concurrency,
            now=self.now,
        )
        lister.result = self.result  # listing failures land in this answer's problems
        with self._lock:
            self._lister = lister
        if self.cancelled:
            lister.cancel()
        lister.run()
        if self.cancelled:
            return
        for batch in self.last_batches():  # every repository is listed by now
            lister.read(batch)

    def chosen(self, images: list[tuple[Image, str]]) -> list[_Batch]:
        """One repository's chosen images; the batches now full (coverage and findings)."""
        if not images:
            return []
        arn = self._arns[images[0][0].repository]
        self.coverage.expect(len(images))
        with self._lock:
            self._chosen += len(images)
            for image, platform in images:
                chosen = (image, platform, f"{arn}/{image.digest}")
                # Findings asked for as the fan-out asks: where ECR's summary says the scope
                # may keep some (else there is none to read: known at once).
                asked = self.scope.may_have_findings(image)
                self._parts[chosen[2]] = [chosen, None, None if asked else []]
                self._waiting_coverage.append(chosen)
                if asked:
                    self._waiting_findings.append(chosen)
            return self._full_batches(last=False)

    def _full_batches(self, *, last: bool) -> list[_Batch]:
        """Batches of 10 out of what waits (under the lock); `last`: every repository is
        listed, the rest goes too."""
        batches = []
        while len(self._waiting_coverage) >= BATCH or (last and self._waiting_coverage):
            batches.append(_Batch("coverage", tuple(self._waiting_coverage[:BATCH])))
            del self._waiting_coverage[:BATCH]
        while len(self._waiting_findings) >= BATCH or (last and self._waiting_findings):
            batches.append(_Batch("findings", tuple(self._waiting_findings[:BATCH])))
            del self._waiting_findings[:BATCH]
        return batches

    def last_batches(self) -> list[_Batch]:
        with self._lock:
            return self._full_batches(last=True)

    def read_batch(
        self, batch: _Batch, inspector: Any, paced: Callable[[Callable[[], Any]], Any]
    ) -> None:
        """One query's part of its images; each handed over once both parts are read."""
        parts: dict[str, tuple[int, object]]
        if batch.kind == "coverage":
            covered = self._batch_coverage(batch, inspector, paced)
            parts = {
                resource: (1, covered.get(resource, image)) for image, _, resource in batch.images
            }
        else:
            found = self._batch_findings(batch, inspector, paced)
            parts = {
                resource: (2, found.get((image.repository, image.digest), []))
                for image, _, resource in batch.images
            }
        if self.cancelled:
            return  # a query cut short by the cancel is not read
        whole = []
        with self._lock:
            for resource, (index, part) in parts.items():
                state = self._parts.get(resource)
                if state is None:
                    continue  # its other part failed: counted as not read
                state[index] = part
                if state[1] is not None and state[2] is not None:
                    whole.append(self._parts.pop(resource))
        for (image, platform, _), covered, findings in whole:
            if covered.scan_state is not ScanState.COMPLETE:
                # Not scanned (or not known to Inspector yet: ECR's own word for it).
                self.coverage.add_unread(covered)
                self.count_done()
            else:
                self._hand_over(image, platform, list(findings))

    def batch_failed(self, batch: _Batch, problem: str) -> None:
        """A query Inspector failed: its images are counted as not read, and why."""
        with self._lock:
            failed = [self._parts.pop(r, None) for _, _, r in batch.images]
        for state in failed:
            if state is not None:
                self.coverage.read_failed(problem)
                self.count_done()

    def _batch_coverage(
        self, batch: _Batch, inspector: Any, paced: Callable[[Callable[[], Any]], Any]
    ) -> dict[str, Image]:
        """Each image's coverage, by resource id: the image with Inspector's scan status
        (an image Inspector does not list keeps ECR's)."""
        criteria = {"resourceId": [_equals(resource) for _, _, resource in batch.images]}
        records = paced(lambda: list(self._pages(
            inspector.list_coverage, "coveredResources", maxResults=COVERAGE_PAGE,
            filterCriteria=criteria,
        )))  # fmt: skip
        images = {resource: image for image, _, resource in batch.images}
        covered = {}
        for record in records:
            resource = str(record.get("resourceId", ""))
            if resource in images:
                reason = str((record.get("scanStatus") or {}).get("reason", ""))
                covered[resource] = images[resource]._replace(
                    scan_status=scan_status_from_reason(reason)
                )
        return covered

    def _batch_findings(
        self, batch: _Batch, inspector: Any, paced: Callable[[Callable[[], Any]], Any]
    ) -> dict[tuple[str, str], list[Finding]]:
        """The images' findings, by (repository, digest): a hash in another repository (or
        account) of the answer is another image's, and left out."""
        images = [image for image, _, _ in batch.images]
        criteria = self._criteria()
        criteria["ecrImageHash"] = [_equals(d) for d in sorted({i.digest for i in images})]
        criteria["ecrImageRepositoryName"] = [
            _equals(r) for r in sorted({i.repository for i in images})
        ]
        criteria["awsAccountId"] = [_equals(self.home_account)]
        wanted = {(i.repository, i.digest) for i in images}

        def read() -> dict[tuple[str, str], list[Finding]]:
            # Each item read into a Finding as its page comes: 16 queries in flight
            # would otherwise hold every page of Inspector's large answers at once.
            found: dict[tuple[str, str], list[Finding]] = {}
            for item in self._pages(
                inspector.list_findings, "findings", maxResults=FINDINGS_PAGE,
                filterCriteria=criteria,
            ):  # fmt: skip
                resource = (item.get("resources") or [{}])[0]
                details = (resource.get("details") or {}).get("awsEcrContainerImage") or {}
                key = (str(details.get("repositoryName", "")), str(details.get("imageHash", "")))
                if key in wanted and str(item.get("awsAccountId", "")) == self.home_account:
                    found.setdefault(key, []).append(finding_from_inspector(item))
                    epss = (item.get("epss") or {}).get("score")
                    if epss is not None:  # before its image is handed over: rows show it at once
                        self.result.findings.add_epss(found[key][-1].name, float(epss))
            return found

        found: dict[tuple[str, str], list[Finding]] = paced(read)
        return found

    def _hand_over(self, image: Image, platform: str, findings: list[Finding]) -> None:
        report = whole_report(image, findings)
        self.coverage.add_report(report)
        # As the fan-out, whose rows count an image it read: one whose ECR summary has
        # findings the scope may keep (the severity filter is Inspector's; fix and exploit not).
        if findings or self.scope.may_have_findings(image):
            self.result.findings.add(image, report, platform)
        self.count_done()
        if self._on_report is not None:
            self._on_report(image, report)

    def count_done(self) -> None:
        with self._lock:
            self._done += 1
            if not self._first_done:
                self._first_done = time.monotonic()
        self._report()


class _Lister(FleetScan):
    """The fan-out's listing and choosing over the repositories Inspector scans; each
    repository's chosen images go to the Inspector scan, whose batches run on its pool."""

    def __init__(
        self, owner: InspectorImagesScan, inspector: Any, *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.inspector = inspector

    def _repository_names(self) -> list[str]:
        names = super()._repository_names()
        self.owner.unscanned = [name for name in names if name not in self.owner._arns]
        return [name for name in names if name in self.owner._arns]

    def _list_repository(
        self, pool: ThreadPoolExecutor, pending: set[Future[Any]], name: str
    ) -> None:
        chosen = self._choose_images(name)
        if chosen is None:
            return
        with self._lock:
            self._listed += 1
        for batch in self.owner.chosen(chosen):
            future = pool.submit(self.read, batch)
            with self._lock:
                pending.add(future)
        self.owner._report()

    def read(self, batch: _Batch) -> None:
        """One query; when Inspector fails it, its images are counted as not read, and why."""
        try:
            self.owner.read_batch(batch, self.inspector, self._paced)
        except Cancelled:
            return  # its images stay "not read (cancelled)"
        except Exception as error:
            if isinstance(error, InspectorUnavailable):
                problem = error.line()
            else:
                problem = f"{SOURCE}: {explain_error(error, None)}"
            if problem not in self.owner.result.problems:
                self.owner.result.problems.append(problem)
            self.owner.batch_failed(batch, problem)

    def listed_counts(self) -> tuple[int, int | None]:
        with self._lock:
            return self._listed, self._repositories

    def pace(self) -> tuple[int, int]:
        with self._lock:
            return self._throttled, self.limit.limit

    def _report(self) -> None:
        pass  # the owner reports its own progress


def _equals(value: str) -> dict[str, str]:
    return {"comparison": "EQUALS", "value": value}
