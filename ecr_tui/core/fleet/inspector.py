"""Fleet triage from Amazon Inspector: `InspectorScan`, one paged query over the registry.

With enhanced scanning, Inspector holds every finding of the registry (and,
for its delegated administrator, of every member account): ListCoverage says
which images are scanned and why the others are not, ListFindingAggregations
by image (AWS_ECR_CONTAINER) says how many findings each has (the progress
bar's total, and when an image is whole), and ListFindings pages through the
findings themselves, 100 a call. No call per image. The answer is the fan-out's
(`FleetFindings`, a `Coverage`, `Progress`), so the view and the export take
either. An image of another account is shown as "ACCOUNT:repository".
Scopes on each repository's image list (tagged only, the newest N) are
`inspector_images.InspectorImagesScan`'s: ECR lists, Inspector answers.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from ecr_tui.core.errors import explain_error
from ecr_tui.core.findings import by_severity, count_severities, enhanced_finding_from_api
from ecr_tui.core.fleet.coverage import Coverage
from ecr_tui.core.fleet.fanout import Cancelled, FleetResult, Progress
from ecr_tui.core.fleet.groups import FleetFindings
from ecr_tui.core.fleet.scope import DAY, Scope, severities_at_least
from ecr_tui.core.models import Finding, Image, ScanReport, ScanState, Severity

if TYPE_CHECKING:
    from ecr_tui.core.ecr import EcrService

SOURCE = "Amazon Inspector"
# Inspector's severities: ListFindings is asked for each at once.
SEVERITY_NAMES = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNTRIAGED")
FINDINGS_PAGE = 100  # ListFindings' and ListFindingAggregations' largest page
COVERAGE_PAGE = 200  # ListCoverage's largest page
# The permissions the Inspector path needs, as an IAM policy names them.
PERMISSIONS = (
    "inspector2:ListFindings",
    "inspector2:ListCoverage",
    "inspector2:ListFindingAggregations",
)
# Inspector's reason an image has no findings, as the ECR scan status the coverage
# line words (see coverage._STATE_WORDS); others are shown as Inspector says them.
_REASON_STATUS = {
    "SUCCESSFUL": "COMPLETE",
    "PENDING_INITIAL_SCAN": "PENDING",
    "SCAN_IN_PROGRESS": "IN_PROGRESS",
    "SCAN_ELIGIBILITY_EXPIRED": "SCAN_ELIGIBILITY_EXPIRED",
    "IMAGE_SIZE_EXCEEDED": "IMAGE_SIZE_EXCEEDED",
    "IMAGE_ARCHIVED": "IMAGE_ARCHIVED",
    "UNSUPPORTED_OS": "UNSUPPORTED_IMAGE",
    "UNSUPPORTED_MEDIA_TYPE": "UNSUPPORTED_IMAGE",
    "STALE_INVENTORY": "FINDINGS_UNAVAILABLE",
    "INTERNAL_ERROR": "FAILED",
}


class InspectorUnavailable(Exception):
    """Inspector's first call failed (refused, not enabled, unreachable): nothing was read."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what

    def line(self) -> str:
        """What went wrong, and what to do about it."""
        return self.what


class InspectorDenied(InspectorUnavailable):
    """Inspector refused the caller: which permission is missing."""

    def __init__(self, operation: str, code: str) -> None:
        super().__init__(f"{SOURCE} refused {operation}: allow {', '.join(PERMISSIONS)}")


class InspectorCoverage(Coverage):
    """The fan-out's coverage, plus the repositories Inspector does not scan, and why."""

    def __init__(self) -> None:
        super().__init__()
        self.unscanned_repositories: Counter[str] = Counter()  # by Inspector's reason
        # The caller's own repositories Inspector scans: the fan-out reads the others.
        self.scanned_repositories: set[str] = set()
        # A scope on each repository's image list (tagged only, newest N) reads the
        # caller's repositories only (ECR lists no other account's): the member
        # accounts Inspector speaks for that are left out, and the scope's words.
        self.accounts_left_out: set[str] = set()
        self.listed_scope = ""

    def notes(self) -> list[str]:
        notes = super().notes()
        if self.accounts_left_out:
            count = len(self.accounts_left_out)
            noun = "account" if count == 1 else "accounts"
            notes.append(
                f"{self.listed_scope or 'this scope'}: this account's repositories only"
                f" ({count:,} member {noun} left out)"
            )
        for reason, count in self.unscanned_repositories.most_common():
            noun = "repository" if count == 1 else "repositories"
            why = reason.lower().replace("_", " ")
            notes.append(f"{count:,} {noun} not scanned by Inspector ({why})")
        return notes


class InspectorProgress(Progress):
    """Progress in findings read of the findings Inspector counts."""

    def line(self) -> str:
        total = f"{self.reports:,}" if self.reports else "?"
        parts = [f"{SOURCE}: findings {self.reports_done:,}/{total}", f"{self.calls:,} calls"]
        if self.cancelled:
            parts.append("cancelled")
        elif self.finished:
            parts.append(f"done in {self.elapsed:.1f} s")
        return " · ".join(parts)


class InspectorScan:
    """One paged Inspector query for a scope; `run` blocks (call it from a worker thread)."""

    source = SOURCE

    def __init__(
        self,
        service: EcrService,
        scope: Scope,
        *,
        now: float | None = None,
        on_report: Callable[[Image, ScanReport | None], None] | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        findings: FleetFindings | None = None,
        home_account: str = "",
    ) -> None:
        self.service = service
        self.scope = scope
        self.now = time.time() if now is None else now
        self.home_account = home_account
        self.coverage = InspectorCoverage()
        self.result = FleetResult(findings or FleetFindings(scope), self.coverage)
        self._on_report = on_report
        self._on_progress = on_progress
        self._cancelled = threading.Event()
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._calls_before = service.api_calls
        self._expected = 0
        self._read = 0
        self._finished = False
        # Images in scope Inspector scanned: key -> (image, findings expected); their findings.
        self._images: dict[tuple[str, str, str], tuple[Image, int | None]] = {}
        self._found: dict[tuple[str, str, str], list[Finding]] = {}

    # -- control (as FleetScan's) ----------------------------------------------------

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def progress(self) -> Progress:
        with self._lock:
            return InspectorProgress(
                repositories_listed=0,
                repositories=0,
                reports_done=self._read,
                reports=self._expected,
                calls=self.service.api_calls - self._calls_before,
                throttled=0,
                concurrency=1,
                elapsed=time.monotonic() - self._started,
                finished=self._finished,
                cancelled=self.cancelled,
            )

    # -- the run -----------------------------------------------------------------------

    def run(self) -> FleetResult:
        """Coverage, counts, then every finding; raises InspectorDenied on the first call."""
        self._started = time.monotonic()
        inspector = plain_answers(self.service.client("inspector2"))
        try:
            try:
                self._read_first(inspector)
            except (Cancelled, InspectorUnavailable):
                raise
            except Exception as error:  # the first call: nothing read, the fan-out can answer
                problem = explain_error(error, None)
                raise InspectorUnavailable(f"{SOURCE} did not answer: {problem}") from error
            self._read_rest(inspector)
        except Cancelled:
            pass
        except InspectorUnavailable:
            raise
        except Exception as error:
            self.result.problems.append(f"{SOURCE}: {explain_error(error, None)}")
        with self._lock:
            self._finished = True
        self.coverage.cancelled = self.cancelled
        self.result.progress = self.progress()
        self._report()
        return self.result

    def _read_first(self, inspector: Any) -> None:
        """The first query: when it fails, nothing was read and the fan-out can answer."""
        self._read_coverage(inspector)

    def _read_rest(self, inspector: Any) -> None:
        self._read_counts(inspector)
        self._report()
        self._read_findings(inspector)
        self._flush()

    def _pages(self, call: Callable[..., dict[str, Any]], key: str, **params: Any) -> Iterator[Any]:
        operation = getattr(call, "__name__", "the call")
        while True:
            if self.cancelled:
                raise Cancelled
            try:
                page = call(**params)
            except Exception as error:
                code = str(getattr(error, "response", {}).get("Error", {}).get("Code", ""))
                if code in ("AccessDeniedException", "UnauthorizedOperation", "AccessDenied"):
                    name = _operation_name(operation)
                    raise InspectorDenied(name, code) from error
                raise
            yield from page.get(key) or ()
            token = page.get("nextToken")
            if not token or token == params.get("nextToken"):
                return
            params["nextToken"] = token

    def _display_name(self, account: str, repository: str) -> str:
        """The repository as the rows show it: another account's with its account id."""
        # (Caller unknown: every account is named, rather than guess which is ours.)
        if account and account != self.home_account:
            return f"{account}:{repository}"
        return repository

    def _read_coverage(self, inspector: Any) -> None:
        """Which images in scope Inspector scanned; the others counted by why not."""
        criteria: dict[str, Any] = {
            "resourceType": [
                {"comparison": "EQUALS", "value": "AWS_ECR_CONTAINER_IMAGE"},
                {"comparison": "EQUALS", "value": "AWS_ECR_REPOSITORY"},
            ]
        }
        if self.scope.repository:
            criteria["ecrRepositoryName"] = [
                {"comparison": "EQUALS", "value": self.scope.repository}
            ]
        records = self._pages(
            inspector.list_coverage,
            "coveredResources",
            maxResults=COVERAGE_PAGE,
            filterCriteria=criteria,
        )
        for record in records:
            metadata = record.get("resourceMetadata") or {}
            name = str((metadata.get("ecrRepository") or {}).get("name", ""))
            if not self.scope.keeps_repository(name):
                continue
            reason = str((record.get("scanStatus") or {}).get("reason", ""))
            if record.get("resourceType") == "AWS_ECR_REPOSITORY":
                self._take_repository(record, name)
                continue
            image = self._covered_image(record, name, reason)
            if image is None:
                continue
            if image.scan_status == "COMPLETE":
                key = (str(record.get("accountId", "")), name, image.digest)
                self._images[key] = (image, None)
            else:
                self.coverage.add_summary_only(image)
        self.coverage.expect(len(self._images))

    def _take_repository(self, record: dict[str, Any], name: str) -> bool:
        """A repository's coverage record counted; whether it is the caller's, scanned."""
        status = record.get("scanStatus") or {}
        if status.get("statusCode") != "ACTIVE":
            self.coverage.unscanned_repositories[str(status.get("reason", "")) or "unknown"] += 1
            return False
        if str(record.get("accountId", "")) != self.home_account:
            return False
        self.coverage.scanned_repositories.add(name)
        return True

    def _covered_image(self, record: dict[str, Any], name: str, reason: str) -> Image | None:
        """A ListCoverage image as an Image, or None when the scope leaves it out."""
        resource_id = str(record.get("resourceId", ""))
        digest = resource_id[resource_id.rfind("/") + 1 :]
        metadata = (record.get("resourceMetadata") or {}).get("ecrImage") or {}
        tags = tuple(str(t) for t in metadata.get("tags") or ())
        pulled = _seconds(metadata.get("imagePulledAt"))
        if self.scope.image:
            wanted = self.scope.image
            if not (digest == wanted if wanted.startswith("sha256:") else wanted in tags):
                return None
        if self.scope.pulled_within_days is not None and (
            pulled is None or pulled < self.now - self.scope.pulled_within_days * DAY
        ):
            return None
        return Image(
            repository=self._display_name(str(record.get("accountId", "")), name),
            digest=digest,
            tags=tags,
            pushed_seconds=None,  # ListCoverage does not say: the findings do
            size_bytes=None,
            scan_status=scan_status_from_reason(reason),
            last_pulled_seconds=pulled,
        )

    def _read_counts(self, inspector: Any) -> None:
        """Findings per image (ListFindingAggregations): the total, and when an image is whole.

        Only without findings filters: the counts are of every active finding.
        """
        if self._filters_findings():
            return
        responses = self._pages(
            inspector.list_finding_aggregations,
            "responses",
            aggregationType="AWS_ECR_CONTAINER",
            maxResults=FINDINGS_PAGE,
        )
        total = 0
        for response in responses:
            item = response.get("awsEcrContainerAggregation") or {}
            key = (
                str(item.get("accountId", "")),
                str(item.get("repository", "")),
                str(item.get("imageSha", "")),
            )
            count = int((item.get("severityCounts") or {}).get("all", 0))
            if self.scope.keeps_repository(key[1]):
                total += count
            if key in self._images:
                self._images[key] = (self._images[key][0], count)
        with self._lock:
            self._expected = total

    def _filters_findings(self) -> bool:
        scope = self.scope
        return bool(
            scope.cve
            or scope.fixable
            or scope.exploitable
            or scope.min_severity > Severity.UNDEFINED
        )

    def _criteria(self) -> dict[str, Any]:
        """ListFindings' filter: the scope's, as far as Inspector's filters say it."""
        scope = self.scope

        def equals(*values: str) -> list[dict[str, str]]:
            return [{"comparison": "EQUALS", "value": v} for v in values]

        criteria: dict[str, Any] = {
            "resourceType": equals("AWS_ECR_CONTAINER_IMAGE"),
            "findingStatus": equals("ACTIVE"),
        }
        if scope.repository:
            criteria["ecrImageRepositoryName"] = equals(scope.repository)
        if scope.image.startswith("sha256:"):
            criteria["ecrImageHash"] = equals(scope.image)
        elif scope.image:
            criteria["ecrImageTags"] = equals(scope.image)
        if scope.cve:
            criteria["vulnerabilityId"] = equals(scope.cve.upper())
        if scope.min_severity > Severity.UNDEFINED:
            names = [s.name for s in severities_at_least(scope.min_severity)]
            if scope.keep_unrated:
                names.append("UNTRIAGED")
            criteria["severity"] = equals(*names)
        if scope.fixable:
            criteria["fixAvailable"] = equals("YES", "PARTIAL")
        if scope.exploitable:
            criteria["exploitAvailable"] = equals("YES")
        return criteria

    def _read_findings(self, inspector: Any) -> None:
        """Every finding, one paged query per severity at once (pages of one query come one
        after another: the severities' come side by side)."""
        criteria = self._criteria()
        severities = [c["value"] for c in criteria.pop("severity", [])] or list(SEVERITY_NAMES)
        with ThreadPoolExecutor(len(severities), thread_name_prefix="inspector") as pool:
            futures = [
                pool.submit(self._read_severity, inspector, criteria, severity)
                for severity in severities
            ]
            for future in futures:
                future.result()  # the first failure (or Cancelled) is raised here

    def _read_severity(self, inspector: Any, criteria: dict[str, Any], severity: str) -> None:
        pages = self._pages(
            inspector.list_findings,
            "findings",
            maxResults=FINDINGS_PAGE,
            filterCriteria={**criteria, "severity": [{"comparison": "EQUALS", "value": severity}]},
            # An image's findings together (images pushed at one instant may mix): each
            # image is whole soon, and shown, newest first.
            sortCriteria={"field": "ECR_IMAGE_PUSHED_AT", "sortOrder": "DESC"},
        )
        for count, item in enumerate(pages, 1):
            self._take(item)
            if count % FINDINGS_PAGE == 0:
                self._report()

    def _take(self, item: dict[str, Any]) -> None:
        """One finding: kept with its image's, which is handed over once whole."""
        resource = (item.get("resources") or [{}])[0]
        details = (resource.get("details") or {}).get("awsEcrContainerImage") or {}
        account = str(item.get("awsAccountId", ""))
        key = (account, str(details.get("repositoryName", "")), str(details.get("imageHash")))
        finding = finding_from_inspector(item)
        epss = (item.get("epss") or {}).get("score")
        if epss is not None:  # before its image is handed over: the rows show it at once
            self.result.findings.add_epss(finding.name, float(epss))
        with self._lock:
            if self.scope.keeps_repository(key[1]):
                self._read += 1
            known = self._images.get(key)
            if known is None:
                return  # an image the scope leaves out (or one Inspector's coverage had not)
            image, expected = known
            if image.pushed_seconds is None and details.get("pushedAt") is not None:
                image = image._replace(pushed_seconds=_seconds(details["pushedAt"]))
                self._images[key] = (image, expected)
            found = self._found.setdefault(key, [])
            found.append(finding)
            whole = expected is not None and len(found) >= expected
        if whole:
            self._emit(key)

    def _flush(self) -> None:
        """Hand over every image not handed over yet (the clean ones too)."""
        for key in list(self._images):
            self._emit(key)

    def _emit(self, key: tuple[str, str, str]) -> None:
        with self._lock:
            known = self._images.pop(key, None)
            if known is None:
                return
            image = known[0]
            findings = self._found.pop(key, [])
        report = whole_report(image, findings)
        self.coverage.add_report(report)
        self.result.findings.add(image, report)
        if self._on_report is not None:
            self._on_report(image, report)

    def _report(self) -> None:
        if self._on_progress is not None:
            self._on_progress(self.progress())


def plain_answers(client: Any) -> Any:
    """`client` (Amazon Inspector's, REST JSON) reading its answers as plain JSON.

    botocore's walk over the output shape makes a datetime of every timestamp:
    90 ms of a 100-finding page here, on the interpreter the keys share (see
    `core.answers.plain_json_factory`, the same for ECR). Errors are parsed by botocore.
    """
    from botocore.parsers import ResponseParserFactory, RestJSONParser

    class PlainRestJsonParser(RestJSONParser):
        def _parse_payload(
            self, response: Any, shape: Any, member_shapes: Any, final_parsed: Any
        ) -> None:
            body = response["body"]
            if body:
                final_parsed.update(json.loads(body))

    class PlainRestJsonFactory(ResponseParserFactory):
        def create_parser(self, protocol_name: str) -> Any:
            if protocol_name == "rest-json":
                return PlainRestJsonParser()
            return super().create_parser(protocol_name)

    # The endpoint makes a parser for each answer from this factory (botocore's own).
    client._endpoint._response_parser_factory = PlainRestJsonFactory()
    return client


def whole_report(image: Image, findings: list[Finding]) -> ScanReport:
    """An image's report once Inspector has told every active finding of it, worst first."""
    findings.sort(key=by_severity)
    return ScanReport(
        repository=image.repository,
        digest=image.digest,
        state=ScanState.COMPLETE,
        description="",
        completed_at=None,
        summary=count_severities(findings),
        findings=tuple(findings),
        status="ACTIVE",
    )


def finding_from_inspector(item: dict[str, Any]) -> Finding:
    """An Inspector finding as the findings pane's `Finding` (ECR's enhanced fields)."""
    as_ecr = dict(item)
    as_ecr["score"] = item.get("inspectorScore")
    adjusted = (item.get("inspectorScoreDetails") or {}).get("adjustedCvss")
    if adjusted:
        as_ecr["scoreDetails"] = {"cvss": adjusted}
    return enhanced_finding_from_api(as_ecr)


def scan_status_from_reason(reason: str) -> str:
    """Inspector's coverage reason as an Image's scan status (ScanState's name when it has one)."""
    if reason in _REASON_STATUS:
        return ScanState.status_name(_REASON_STATUS[reason])
    return reason.lower().replace("_", " ") or "unknown"


def _seconds(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    timestamp = getattr(value, "timestamp", None)
    return float(timestamp()) if callable(timestamp) else None


def _operation_name(method: str) -> str:
    """boto3's method name as IAM's action: list_findings -> inspector2:ListFindings."""
    words = method.split("_")
    return "inspector2:" + "".join(w.capitalize() for w in words)
