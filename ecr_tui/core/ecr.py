"""The ECR side of the app: boto3 calls in, frozen records out.

Every list is read with botocore's paginators at ECR's largest page (1,000
items) and handed over page by page, so a caller can show the first page of a
100,000-image repository long before the last one arrives. Nothing here knows
about Textual; calls block and are meant to run in worker threads.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ecr_tui.core.answers import (
    ask_again_when_cut_off,
    plain_json_factory,
    refuse_short_answers,
)
from ecr_tui.core.api_items import (
    ImageRow,
    image_from_row,
    image_row_from_api,
    index_manifest_from_api,
    referrer_from_api,
    repository_from_api,
    timestamp,
)
from ecr_tui.core.botocore_loader import shared_loader
from ecr_tui.core.findings import (
    basic_finding_from_api,
    by_severity,
    count_severities,
    enhanced_finding_from_api,
)
from ecr_tui.core.media_types import ALL_MANIFEST_MEDIA_TYPES
from ecr_tui.core.models import (
    AccountInfo,
    Finding,
    Image,
    IndexManifest,
    Referrer,
    RegistryScanning,
    Repository,
    RepositoryScanning,
    ScanningRule,
    ScanReport,
    ScanState,
    SeverityCounts,
)
from ecr_tui.core.read_only import ReadOnlyRefusal, is_mutating

if TYPE_CHECKING:
    import boto3
    from mypy_boto3_ecr import ECRClient

# ECR's largest page for DescribeRepositories, DescribeImages and findings.
PAGE_SIZE = 1000
# The most image ids BatchGetImage takes in one call.
BATCH_GET_IMAGE_IDS = 100
# The most names BatchGetRepositoryScanningConfiguration takes in one call.
SCANNING_CONFIGURATION_NAMES = 25

# Connections kept open to the endpoint: one per call in flight at most.
MAX_CALLS_IN_FLIGHT = 32

# Made for dummy credentials the local demo endpoint accepts; never real ones.
DEMO_CREDENTIALS = {"aws_access_key_id": "demo", "aws_secret_access_key": "demo"}


@dataclass(frozen=True, slots=True)
class ConnectionSettings:
    """Where and as whom to call ECR; the standard AWS credential chain fills the gaps."""

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None  # ECR's only: a private ECR endpoint serves nothing else
    demo: bool = False
    # STS has an endpoint of its own (the demo's serves both; AWS's is found by boto3).
    sts_endpoint_url: str | None = None
    # Seconds to wait for an answer once connected; botocore retries after it.
    read_timeout: float = 60.0
    # A role's temporary credentials (key id, secret, session token) assumed with an
    # MFA code (see core.context_credentials); None: the profile's own chain.
    credentials: tuple[str, str, str] | None = field(default=None, repr=False)

    def at_demo_endpoint(self, url: str) -> ConnectionSettings:
        """These settings aimed at the demo's endpoint, which serves STS too (said so
        explicitly: STS never goes to an ECR endpoint, as a private one does not serve it)."""
        return replace(self, endpoint_url=url, sts_endpoint_url=url)

    @property
    def endpoint_label(self) -> str:
        """What the status bar shows as the endpoint."""
        return self.endpoint_url or "AWS"


def _refuse_changes(model: Any, **_: object) -> None:
    """botocore hook of a read-only client: stop any operation that is not a read."""
    if is_mutating(model.name):
        raise ReadOnlyRefusal(model.name)


@dataclass(frozen=True, slots=True)
class RegistryAuthorization:
    """GetAuthorizationToken's answer: a Docker login to the account's registry."""

    token: str = field(repr=False)  # base64 of `AWS:password`; never shown or logged
    proxy_endpoint: str  # the registry to log in to, e.g. https://ACCOUNT.dkr.ecr.REGION...
    expires_at: datetime | None  # 12 hours after issue on real ECR


class EcrService:
    """Blocking ECR calls for one account and region; safe to share between threads.

    With `read_only`, every ECR operation that needs more than read access (see
    `core.read_only`) raises the read-only refusal instead of being sent.
    """

    def __init__(
        self,
        settings: ConnectionSettings,
        *,
        read_only: bool = False,
        botocore_session: Callable[[], Any] | None = None,
        region_switch_from: EcrService | None = None,
    ) -> None:
        self.settings = settings
        self.read_only = read_only
        # Gives a botocore session that has read the service models already (see
        # `remote_reader`), called when the first client is made; None: a new one.
        self._botocore_session = botocore_session
        self._lock = threading.Lock()
        self._session: boto3.Session | None = None
        previous = region_switch_from
        if previous is not None and replace(previous.settings, region=settings.region) == settings:
            # Only the region changed: the same session (its credentials resolved, a
            # role already assumed, its config read) makes this region's clients, in
            # a few milliseconds rather than tens. (Its lock too: one session.)
            self._lock, self._session = previous._lock, previous._session
        self._ecr: ECRClient | None = None
        self._others: dict[str, Any] = {}  # other services' clients (Amazon Inspector's)
        # Calls made, by operation: the benchmark and tests hold the app to the minimum.
        self.calls: Counter[tuple[str, str]] = Counter()  # (operation, repository)

    # -- plumbing ---------------------------------------------------------------

    def _boto_session(self) -> boto3.Session:
        # boto3 sessions are not thread-safe: build clients under one lock.
        if self._session is None:
            kwargs: dict[str, Any] = {}
            if self.settings.profile:
                kwargs["profile_name"] = self.settings.profile
            if self.settings.region:
                kwargs["region_name"] = self.settings.region
            if self.settings.credentials is not None:
                key, secret, token = self.settings.credentials
                kwargs.update(
                    aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token
                )
            elif self.settings.demo and not self.settings.profile:
                # (The demo's own AWS config names keys for its profiles.)
                kwargs.update(DEMO_CREDENTIALS)
                kwargs.setdefault("region_name", "us-east-1")
            # Imported on first use, in a worker: boto3 (with s3transfer) costs
            # about 150 ms that the first frame should not wait for.
            import boto3

            warm = self._botocore_session() if self._botocore_session else None
            self._session = boto3.Session(botocore_session=warm, **kwargs)
            if warm is None:
                # One loader for every later session of the process: a context
                # switch's new session reuses the service models read already
                # (0.1 s a client otherwise).
                self._session._session.register_component("data_loader", shared_loader())
        return self._session

    def _client(self, service: str) -> Any:
        # Real AWS gets botocore's standard retries (throttling included);
        # a local endpoint answers at once or not at all, so fail fast there.
        attempts = 2 if self.settings.endpoint_url else 5
        from botocore.config import Config  # here: botocore's config pulls in urllib3

        config = Config(
            retries={"mode": "standard", "max_attempts": attempts},
            connect_timeout=5,
            read_timeout=self.settings.read_timeout,
            # A fleet fan-out keeps this many calls in flight (core.fleet.fanout).
            max_pool_connections=MAX_CALLS_IN_FLIGHT,
            user_agent_extra="ecr-tui",
        )
        session: Any = self._boto_session()  # `Any`: the stubs overload per service name
        if service == "ecr":
            session._session.register_component("response_parser_factory", plain_json_factory())
        endpoint = self.settings.endpoint_url if service == "ecr" else None
        if service == "sts" or (service == "iam" and self.settings.demo):
            # (The demo's endpoint serves IAM beside STS; AWS's IAM is found by boto3.)
            endpoint = self.settings.sts_endpoint_url
        elif service == "inspector2" and self.settings.demo:
            endpoint = self.settings.endpoint_url  # the demo's serves Amazon Inspector too
        # (The region named: a session shared after a region switch has the old one.)
        region = self.settings.region or session.region_name
        client = session.client(service, region_name=region, endpoint_url=endpoint, config=config)
        client.meta.events.register("before-parse", refuse_short_answers)
        if service == "ecr" and self.read_only:
            # First of the hooks, before the request is even built.
            client.meta.events.register("before-parameter-build", _refuse_changes)
        # Once per API call (retries excluded), with the caller's parameters.
        client.meta.events.register("before-parameter-build", self._count_call)
        return client

    def _count_call(self, params: dict[str, Any], model: Any, **_: object) -> None:
        self.calls[(model.name, str(params.get("repositoryName", "")))] += 1

    def call_count(self, operation: str, repository: str | None = None) -> int:
        """Calls made of `operation`, for one repository or all."""
        return sum(
            count
            for (name, about), count in self.calls.items()
            if name == operation and repository in (None, about)
        )

    @property
    def api_calls(self) -> int:
        """Every API call made so far (retries count once)."""
        return sum(self.calls.values())

    @property
    def ecr(self) -> ECRClient:
        """The ECR client, created once."""
        with self._lock:
            if self._ecr is None:
                self._ecr = self._client("ecr")
            return self._ecr

    def client(self, service: str) -> Any:
        """Another service's client in this context (`inspector2`, say), created once."""
        with self._lock:
            if service not in self._others:
                self._others[service] = self._client(service)
            return self._others[service]

    @property
    def region(self) -> str:
        """The region calls go to."""
        return str(self.ecr.meta.region_name)

    # -- who and where ----------------------------------------------------------

    def account_info(self) -> AccountInfo:
        """Who the caller is (STS, at its own endpoint), else the account ECR names.

        Never raises for want of an identity: a private ECR endpoint does not serve
        STS, and AWS's read-only ECR policy allows neither GetCallerIdentity's
        network path nor DescribeRegistry. The account then stays empty, with
        `identity_problem` saying why, and the UI takes it from the repositories' ARNs.
        """
        account_id, arn, problem = "", "", ""
        if self.settings.demo and not self.settings.sts_endpoint_url:
            problem = "the demo's credentials are not for AWS's STS"
        else:
            with self._lock:
                sts = self._client("sts")
            try:
                identity = sts.get_caller_identity()
                account_id, arn = identity["Account"], identity["Arn"]
            except Exception as error:  # STS blocked by policy, network or endpoint
                problem = _error_name(error)
        alias = self._account_alias() if account_id else ""
        if not account_id:
            # Not in AmazonEC2ContainerRegistryReadOnly: then the repositories' ARNs tell.
            with contextlib.suppress(Exception):
                account_id = self.ecr.describe_registry().get("registryId", "")
        return AccountInfo(
            account_id=account_id,
            region=self.region,
            endpoint=self.settings.endpoint_label,
            arn=arn,
            profile=self.settings.profile,
            identity_problem=problem,
            alias=alias,
        )

    def _account_alias(self) -> str:
        """The account's alias, when IAM answers ListAccountAliases (many roles may not:
        then none is shown, which is not a claim that there is none)."""
        with self._lock:
            iam = self._client("iam")
        try:
            aliases = iam.list_account_aliases().get("AccountAliases", [])
        except Exception:  # not allowed, or no IAM at this endpoint
            return ""
        return str(aliases[0]) if aliases else ""

    def authorization(self) -> RegistryAuthorization:
        """A registry login from GetAuthorizationToken (allowed on `Resource: "*"` only)."""
        data = self.ecr.get_authorization_token()["authorizationData"][0]
        return RegistryAuthorization(
            token=data.get("authorizationToken", ""),
            proxy_endpoint=data.get("proxyEndpoint", ""),
            expires_at=timestamp(data.get("expiresAt")),
        )

    # -- reading ----------------------------------------------------------------

    def pages(self, operation: str, **params: Any) -> Iterator[dict[str, Any]]:
        """Every page of an ECR listing (`operation` as boto3 names it), ECR's largest.

        botocore retries what fails before its parser runs (connections, throttling,
        5xx answers) but not an answer whose JSON breaks off: such a page is asked
        for again here, up to `answers.CUT_OFF_ATTEMPTS` times, before the listing fails.
        """
        call = getattr(self.ecr, operation)
        params["maxResults"] = PAGE_SIZE
        while True:
            page = ask_again_when_cut_off(call, params)
            yield page
            token = page.get("nextToken")
            if not token or token == params.get("nextToken"):
                return
            params["nextToken"] = token

    def repository_pages(
        self, is_cancelled: Callable[[], bool] = lambda: False
    ) -> Iterator[list[Repository]]:
        """Yield repositories a page at a time."""
        for page in self.pages("describe_repositories"):
            if is_cancelled():
                return
            yield [repository_from_api(item) for item in page.get("repositories", [])]

    def repository(self, name: str) -> Repository:
        """One repository by name."""
        answer = self.ecr.describe_repositories(repositoryNames=[name])
        return repository_from_api(answer["repositories"][0])

    def image_pages(
        self, repository: str, is_cancelled: Callable[[], bool] = lambda: False
    ) -> Iterator[list[Image]]:
        """Yield a repository's images a page at a time, tagged and untagged."""
        for rows in self.image_row_pages(repository, is_cancelled):
            yield [image_from_row(repository, row) for row in rows]

    def image_row_pages(
        self, repository: str, is_cancelled: Callable[[], bool] = lambda: False
    ) -> Iterator[list[ImageRow]]:
        """`image_pages` as rows of built-in values (see `image_row_from_api`).

        Archived images too: without `imageStatus` ANY, DescribeImages lists the
        ACTIVE ones only, and an archived image would vanish from the screen.
        """
        params: dict[str, Any] = {"repositoryName": repository}
        if self._knows_image_status():
            params["filter"] = {"imageStatus": "ANY"}
        for page in self.pages("describe_images", **params):
            if is_cancelled():
                return
            yield [image_row_from_api(item) for item in page.get("imageDetails", [])]

    def _knows_image_status(self) -> bool:
        """Whether the installed botocore can ask DescribeImages for archived images."""
        shape: Any = self.ecr.meta.service_model.shape_for("DescribeImagesFilter")
        return "imageStatus" in shape.members

    def scan_report(
        self, image: Image, is_cancelled: Callable[[], bool] = lambda: False
    ) -> ScanReport:
        """All findings of an image's latest scan, basic and enhanced."""
        pages = self.pages(
            "describe_image_scan_findings",
            repositoryName=image.repository,
            imageId={"imageDigest": image.digest},
        )
        findings: list[Finding] = []
        state, description = image.scan_state, image.scan_description
        status = image.scan_status
        completed_at: datetime | None = None
        summary = SeverityCounts()
        try:
            for page in pages:
                if is_cancelled():
                    break
                scan_status = page.get("imageScanStatus", {})
                status = scan_status.get("status", "")
                state = ScanState.parse(status)
                description = scan_status.get("description", "")
                scan = page.get("imageScanFindings", {})
                completed_at = timestamp(scan.get("imageScanCompletedAt")) or completed_at
                if scan.get("findingSeverityCounts"):
                    summary = SeverityCounts.from_mapping(scan["findingSeverityCounts"])
                findings.extend(basic_finding_from_api(f) for f in scan.get("findings") or ())
                findings.extend(
                    enhanced_finding_from_api(f) for f in scan.get("enhancedFindings") or ()
                )
        except self.ecr.exceptions.ScanNotFoundException:
            state, description = ScanState.NOT_SCANNED, "This image has not been scanned."
            status = ""
        if not summary.total and findings:
            summary = count_severities(findings)
        findings.sort(key=by_severity)
        return ScanReport(
            repository=image.repository,
            digest=image.digest,
            state=state,
            description=description,
            completed_at=completed_at,
            summary=summary,
            findings=tuple(findings),
            status=status,
        )

    # -- what an image is: indexes, referrers, the details view ---------------------

    def index_manifests(self, repository: str, digests: Sequence[str]) -> list[IndexManifest]:
        """What these indexes list: one BatchGetImage call per BATCH_GET_IMAGE_IDS digests.

        Every digest asked about gets an answer, with `problem` set when ECR did not
        return its manifest.
        """
        found: list[IndexManifest] = []
        for start in range(0, len(digests), BATCH_GET_IMAGE_IDS):
            batch = list(dict.fromkeys(digests[start : start + BATCH_GET_IMAGE_IDS]))
            answer = self.ecr.batch_get_image(
                repositoryName=repository,
                imageIds=[{"imageDigest": digest} for digest in batch],
                acceptedMediaTypes=list(ALL_MANIFEST_MEDIA_TYPES),
            )
            answered: dict[str, IndexManifest] = {}
            for image in answer.get("images", []):
                digest = image.get("imageId", {}).get("imageDigest", "")
                if digest in batch and digest not in answered:
                    answered[digest] = index_manifest_from_api(repository, digest, image)
            problems = {
                failure.get("imageId", {}).get("imageDigest", ""): _failure_text(failure)
                for failure in answer.get("failures", [])
            }
            for digest in batch:
                manifest = answered.get(digest)
                if manifest is None:
                    problem = problems.get(digest) or "ECR returned no manifest for it"
                    manifest = IndexManifest(repository, digest, "", (), "", problem=problem)
                found.append(manifest)
        return found

    def image_referrers(self, repository: str, digest: str) -> list[Referrer]:
        """Every referrer of `digest`, archived ones too (ListImageReferrers, by pages of 50).

        Raises AttributeError when the installed botocore does not have the operation.
        """
        client: Any = self.ecr
        referrers: list[Referrer] = []
        token: str | None = None
        while True:
            params: dict[str, Any] = {
                "repositoryName": repository,
                "subjectId": {"imageDigest": digest},
                "filter": {"artifactStatus": "ANY"},
                "maxResults": 50,
            }
            if token:
                params["nextToken"] = token
            page = client.list_image_referrers(**params)
            referrers.extend(referrer_from_api(item) for item in page.get("referrers", []))
            token = page.get("nextToken")
            if not token:
                return referrers

    # -- how repositories are scanned --------------------------------------------------

    def registry_scanning(self) -> RegistryScanning:
        """The registry's scanning configuration: basic or enhanced, and its rules."""
        answer = self.ecr.get_registry_scanning_configuration()
        configuration = answer.get("scanningConfiguration", {})
        rules = tuple(
            ScanningRule(
                frequency=str(rule.get("scanFrequency", "")),
                filters=tuple(str(f.get("filter", "")) for f in rule.get("repositoryFilters", [])),
            )
            for rule in configuration.get("rules", [])
        )
        return RegistryScanning(scan_type=str(configuration.get("scanType", "BASIC")), rules=rules)

    def repository_scanning(self, names: Sequence[str], scan_type: str) -> list[RepositoryScanning]:
        """How each repository is scanned, as the registry applies it (25 names a call).

        `scan_type` is the registry's (BASIC or ENHANCED; "" when unknown).
        """
        found: list[RepositoryScanning] = []
        for start in range(0, len(names), SCANNING_CONFIGURATION_NAMES):
            answer = self.ecr.batch_get_repository_scanning_configuration(
                repositoryNames=list(names[start : start + SCANNING_CONFIGURATION_NAMES])
            )
            for item in answer.get("scanningConfigurations", []):
                found.append(
                    RepositoryScanning(
                        repository=str(item.get("repositoryName", "")),
                        scan_type=scan_type,
                        frequency=str(item.get("scanFrequency", "")),
                        scan_on_push=bool(item.get("scanOnPush")),
                        filters=tuple(
                            str(f.get("filter", "")) for f in item.get("appliedScanFilters") or ()
                        ),
                    )
                )
        return found


def _error_name(error: Exception) -> str:
    """ECR's error code, else the exception's class: what failed, in a word."""
    response = getattr(error, "response", None)
    if isinstance(response, Mapping):
        code = response.get("Error", {}).get("Code")
        if code:
            return str(code)
    return type(error).__name__


def _failure_text(failure: Mapping[str, Any]) -> str:
    code = failure.get("failureCode", "")
    reason = failure.get("failureReason", "")
    return f"{code}: {reason}" if code and reason else str(code or reason or "failed")
