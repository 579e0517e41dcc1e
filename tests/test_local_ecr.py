"""The local ECR endpoint, checked over real HTTP with boto3 against real ECR's behaviour:
paging, image details, scans and findings, tag rules, tokens, registry hooks, launcher."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from ecr_tui.demo.data.dataset import build_dataset
from ecr_tui.demo.data.workloads import BIG_REPOSITORY
from ecr_tui.demo.endpoint import LocalEcr
from ecr_tui.demo.launcher import start_demo_endpoint
from ecr_tui.demo.moto_patches.protocol import EcrError

# An account of its own: this module changes the registry, other modules browse theirs.
ACCOUNT_ID = "111122223333"
PASSWORD = "local-ecr-test-password"
REPOSITORIES = 150  # more than one default page of 100
BIG_IMAGES = 2500  # three pages of 1,000
SCAN_SECONDS = 0.6
CONFIG_MEDIA_TYPES = {
    "application/vnd.docker.container.image.v1+json",
    "application/vnd.oci.image.config.v1+json",
}


def _client(url: str, service: str = "ecr") -> Any:
    factory: Any = boto3.client  # `Any`: the stubs overload on the literal service name
    return factory(
        service,
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )


@pytest.fixture(scope="module")
def endpoint() -> Iterator[LocalEcr]:
    server = LocalEcr(account_id=ACCOUNT_ID, scan_seconds=SCAN_SECONDS, password=PASSWORD)
    server.start()
    server.seed(build_dataset(repositories=REPOSITORIES, big_repository_images=BIG_IMAGES))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def ecr(endpoint: LocalEcr) -> Any:
    return _client(endpoint.url)


def _error_code(error: pytest.ExceptionInfo[ClientError]) -> str:
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return str(error.value.response["Error"]["Code"])


def _manifest(seed: str, layer_sizes: tuple[int, ...] = (1_000_000, 2_500_000)) -> str:
    def digest(text: str) -> str:
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()

    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "size": 1234,
                "digest": digest(seed + "config"),
            },
            "layers": [
                {
                    "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    "size": size,
                    "digest": digest(f"{seed}{index}"),
                }
                for index, size in enumerate(layer_sizes)
            ],
        },
        indent=3,
    )


def _sha256(text: str | bytes) -> str:
    data = text.encode() if isinstance(text, str) else text
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _all_images(ecr: Any, repository: str) -> list[dict[str, Any]]:
    pages = ecr.get_paginator("describe_images").paginate(
        repositoryName=repository, PaginationConfig={"PageSize": 1000}
    )
    return [detail for page in pages for detail in page["imageDetails"]]


def _new_repository(ecr: Any, name: str, **settings: Any) -> None:
    ecr.create_repository(repositoryName=name, **settings)


# -- paging ----------------------------------------------------------------------------------


def test_describe_repositories_pages_like_ecr(ecr: Any) -> None:
    first = ecr.describe_repositories()
    assert len(first["repositories"]) == 100  # ECR's default page
    assert first["nextToken"]

    pages = list(ecr.get_paginator("describe_repositories").paginate())
    names = [r["repositoryName"] for page in pages for r in page["repositories"]]
    assert [len(page["repositories"]) for page in pages][:1] == [100]
    assert len(names) == len(set(names)) >= REPOSITORIES

    whole = ecr.describe_repositories(maxResults=1000)
    assert "nextToken" not in whole
    assert sorted(r["repositoryName"] for r in whole["repositories"]) == sorted(names)

    # botocore checks the minimum itself, so only the maximum reaches the server.
    with pytest.raises(ClientError) as error:
        ecr.describe_repositories(maxResults=1001)
    assert _error_code(error) == "InvalidParameterException"
    with pytest.raises(ClientError) as error:
        ecr.describe_repositories(repositoryNames=["no/such-repository"])
    assert _error_code(error) == "RepositoryNotFoundException"
    with pytest.raises(ClientError) as error:
        ecr.describe_repositories(nextToken="not-a-token")
    assert _error_code(error) == "InvalidParameterException"


def test_describe_images_pages_cover_every_image_once(ecr: Any) -> None:
    first = ecr.describe_images(repositoryName=BIG_REPOSITORY)
    assert len(first["imageDetails"]) == 100
    assert first["nextToken"]

    pages = list(
        ecr.get_paginator("describe_images").paginate(
            repositoryName=BIG_REPOSITORY, PaginationConfig={"PageSize": 1000}
        )
    )
    assert [len(p["imageDetails"]) for p in pages] == [1000, 1000, 500]
    digests = [d["imageDigest"] for p in pages for d in p["imageDetails"]]
    assert len(set(digests)) == BIG_IMAGES

    # The tag filter splits the same images, with paging applied after filtering.
    def digests_with(status: str) -> list[str]:
        pages = ecr.get_paginator("describe_images").paginate(
            repositoryName=BIG_REPOSITORY,
            filter={"tagStatus": status},
            PaginationConfig={"PageSize": 300},
        )
        return [d["imageDigest"] for page in pages for d in page["imageDetails"]]

    tagged, untagged = digests_with("TAGGED"), digests_with("UNTAGGED")
    assert tagged and untagged
    assert sorted(tagged + untagged) == sorted(digests)

    with pytest.raises(ClientError) as error:
        ecr.describe_images(repositoryName=BIG_REPOSITORY, maxResults=1001)
    assert _error_code(error) == "InvalidParameterException"


def test_list_images_pages_one_entry_per_tag(ecr: Any) -> None:
    details = _all_images(ecr, "web/storefront")
    expected = Counter(
        (d["imageDigest"], tag) for d in details for tag in d.get("imageTags") or [None]
    )
    assert any(len(d.get("imageTags", ())) > 1 for d in details)  # pages can split an image
    pages = list(
        ecr.get_paginator("list_images").paginate(
            repositoryName="web/storefront", PaginationConfig={"PageSize": 3}
        )
    )
    assert all(len(page["imageIds"]) <= 3 for page in pages)
    listed = Counter(
        (entry["imageDigest"], entry.get("imageTag")) for p in pages for entry in p["imageIds"]
    )
    assert listed == expected


# -- what DescribeImages says about an image ----------------------------------------------------


def test_image_details_are_realistic(ecr: Any) -> None:
    now = time.time()
    details = _all_images(ecr, "payments/ledger-service")
    tagged = [d for d in details if d.get("imageTags")]
    untagged = [d for d in details if "imageTags" not in d]
    assert tagged and untagged and any(len(d["imageTags"]) > 1 for d in tagged)
    assert any("lastRecordedPullTime" in d for d in details)
    sample = details[-1:] + untagged[:1] + tagged[:2]
    manifests = ecr.batch_get_image(
        repositoryName="payments/ledger-service",
        imageIds=[{"imageDigest": d["imageDigest"]} for d in sample],
    )["images"]
    by_digest = {m["imageId"]["imageDigest"]: m["imageManifest"] for m in manifests}
    for detail in details:
        assert detail["imagePushedAt"].timestamp() < now
        if "lastRecordedPullTime" in detail:
            assert detail["lastRecordedPullTime"].timestamp() <= now
        assert detail["artifactMediaType"] in CONFIG_MEDIA_TYPES
    for detail in sample:
        manifest = by_digest[detail["imageDigest"]]
        assert _sha256(manifest) == detail["imageDigest"]
        layers = json.loads(manifest)["layers"]
        assert detail["imageSizeInBytes"] == sum(layer["size"] for layer in layers)
        assert detail["imageManifestMediaType"] == json.loads(manifest)["mediaType"]
    sizes = [d["imageSizeInBytes"] for d in _all_images(ecr, "ml/inference-server")]
    assert min(sizes) > 700_000_000  # ML images are big, Go ones small
    assert max(d["imageSizeInBytes"] for d in _all_images(ecr, "identity/auth-service")) < 40e6


def test_scan_states_and_summaries(ecr: Any, endpoint: LocalEcr) -> None:
    repositories = ecr.describe_repositories(maxResults=1000)["repositories"]
    seen: dict[str, dict[str, Any]] = {}
    never_scanned: tuple[str, str] | None = None
    for repository in repositories:
        for detail in ecr.describe_images(
            repositoryName=repository["repositoryName"], maxResults=1000
        )["imageDetails"]:
            status = detail.get("imageScanStatus", {}).get("status")
            if status is None and never_scanned is None:
                never_scanned = (repository["repositoryName"], detail["imageDigest"])
            seen.setdefault(str(status), detail)
    assert {"COMPLETE", "ACTIVE", "FAILED", "IN_PROGRESS", "None"} <= set(seen)
    for status in ("COMPLETE", "ACTIVE"):
        summary = seen[status]["imageScanFindingsSummary"]
        assert summary["imageScanCompletedAt"] > summary["vulnerabilitySourceUpdatedAt"]
        assert sum(summary["findingSeverityCounts"].values()) > 0
    assert "UnsupportedImageError" in seen["FAILED"]["imageScanStatus"]["description"]
    for status in ("FAILED", "IN_PROGRESS"):
        assert "imageScanFindingsSummary" not in seen[status]
        findings = ecr.describe_image_scan_findings(
            repositoryName=seen[status]["repositoryName"],
            imageId={"imageDigest": seen[status]["imageDigest"]},
        )
        assert findings["imageScanStatus"]["status"] == status
        assert "imageScanFindings" not in findings
    assert never_scanned is not None
    with pytest.raises(ClientError) as error:
        ecr.describe_image_scan_findings(
            repositoryName=never_scanned[0], imageId={"imageDigest": never_scanned[1]}
        )
    assert _error_code(error) == "ScanNotFoundException"


# -- findings -----------------------------------------------------------------------------------


def _findings(ecr: Any, repository: str, digest: str, page: int) -> tuple[list[Any], Any]:
    pages = list(
        ecr.get_paginator("describe_image_scan_findings").paginate(
            repositoryName=repository,
            imageId={"imageDigest": digest},
            PaginationConfig={"PageSize": page},
        )
    )
    key = "enhancedFindings" if "enhancedFindings" in pages[0]["imageScanFindings"] else "findings"
    found = [f for p in pages for f in p["imageScanFindings"][key]]
    return found, pages[0]


def test_basic_findings_match_their_summary(ecr: Any) -> None:
    details = _all_images(ecr, BIG_REPOSITORY)
    big = max(
        (d for d in details if d.get("imageScanStatus", {}).get("status") == "COMPLETE"),
        key=lambda d: sum(d["imageScanFindingsSummary"]["findingSeverityCounts"].values()),
    )
    counts = big["imageScanFindingsSummary"]["findingSeverityCounts"]
    assert sum(counts.values()) > 100  # more than one default page of findings
    first = ecr.describe_image_scan_findings(
        repositoryName=BIG_REPOSITORY, imageId={"imageDigest": big["imageDigest"]}
    )
    assert len(first["imageScanFindings"]["findings"]) == 100 and first["nextToken"]

    found, page = _findings(ecr, BIG_REPOSITORY, big["imageDigest"], 40)
    assert page["imageScanFindings"]["findingSeverityCounts"] == counts
    assert Counter(f["severity"] for f in found) == Counter(counts)
    assert len({(f["name"], f["attributes"][1]["value"]) for f in found}) == len(found)
    for finding in found:
        assert finding["name"].startswith("CVE-") and finding["uri"].startswith("https://")
        attributes = {a["key"]: a["value"] for a in finding["attributes"]}
        assert attributes["package_name"] and attributes["package_version"]
        if finding["severity"] in ("CRITICAL", "HIGH", "MEDIUM", "LOW"):
            version = "CVSS3" if "CVSS3_SCORE" in attributes else "CVSS2"
            assert 0 < float(attributes[f"{version}_SCORE"]) <= 10
            assert attributes[f"{version}_VECTOR"].count("/") >= 5


def test_enhanced_findings_use_inspector_format(ecr: Any) -> None:
    details = _all_images(ecr, "payments/api")
    assert {d["imageScanStatus"]["status"] for d in details} == {"ACTIVE"}
    detail = details[-1]
    found, page = _findings(ecr, "payments/api", detail["imageDigest"], 7)
    counts = page["imageScanFindings"]["findingSeverityCounts"]
    assert page["imageScanStatus"]["description"] == "Continuous scan is selected for image."
    assert Counter(f["severity"] for f in found) == Counter(counts)
    managers = set()
    for finding in found:
        assert finding["status"] == "ACTIVE" and finding["type"] == "PACKAGE_VULNERABILITY"
        details_ = finding["packageVulnerabilityDetails"]
        assert finding["title"].startswith(details_["vulnerabilityId"])
        package = details_["vulnerablePackages"][0]
        assert package["name"] and package["version"] and package["fixedInVersion"]
        managers.add(package["packageManager"])
        assert finding["remediation"]["recommendation"]["text"]
        if finding["severity"] in ("CRITICAL", "HIGH", "MEDIUM", "LOW"):
            cvss = finding["scoreDetails"]["cvss"]
            assert cvss["score"] == finding["score"] == details_["cvss"][0]["baseScore"]
            prefix = {"3.1": "CVSS:3.1/AV:", "2.0": "AV:"}[cvss["version"]]
            assert cvss["scoringVector"].startswith(prefix)
    assert {"OS", "JAR"} <= managers  # language packages are what enhanced scanning adds


# -- scans --------------------------------------------------------------------------------------


def _scan_status(ecr: Any, repository: str, digest: str) -> str | None:
    detail = ecr.describe_images(repositoryName=repository, imageIds=[{"imageDigest": digest}])
    status = detail["imageDetails"][0].get("imageScanStatus", {}).get("status")
    return None if status is None else str(status)


def test_start_image_scan_lifecycle_and_daily_quota(ecr: Any) -> None:
    _new_repository(ecr, "tests/manual-scan")
    manifest = _manifest("manual-scan")
    digest = ecr.put_image(repositoryName="tests/manual-scan", imageManifest=manifest,
                           imageTag="1.0.0")["image"]["imageId"]["imageDigest"]  # fmt: skip
    assert _scan_status(ecr, "tests/manual-scan", digest) is None

    started = ecr.start_image_scan(
        repositoryName="tests/manual-scan", imageId={"imageTag": "1.0.0"}
    )
    assert started["imageScanStatus"]["status"] == "IN_PROGRESS"
    assert started["imageId"]["imageDigest"] == digest
    assert _scan_status(ecr, "tests/manual-scan", digest) == "IN_PROGRESS"
    with pytest.raises(ClientError) as error:
        ecr.start_image_scan(repositoryName="tests/manual-scan", imageId={"imageDigest": digest})
    assert _error_code(error) == "LimitExceededException"
    assert "scan quota per image has been exceeded" in str(error.value)

    time.sleep(SCAN_SECONDS + 0.1)
    assert _scan_status(ecr, "tests/manual-scan", digest) == "COMPLETE"
    found, page = _findings(ecr, "tests/manual-scan", digest, 1000)
    counts = page["imageScanFindings"]["findingSeverityCounts"]
    assert found and Counter(f["severity"] for f in found) == Counter(counts)


def test_scan_on_push_starts_a_scan(ecr: Any) -> None:
    _new_repository(ecr, "tests/scan-on-push", imageScanningConfiguration={"scanOnPush": True})
    digest = ecr.put_image(repositoryName="tests/scan-on-push", imageManifest=_manifest("sop"),
                           imageTag="latest")["image"]["imageId"]["imageDigest"]  # fmt: skip
    assert _scan_status(ecr, "tests/scan-on-push", digest) == "IN_PROGRESS"
    time.sleep(SCAN_SECONDS + 0.1)
    assert _scan_status(ecr, "tests/scan-on-push", digest) == "COMPLETE"


# -- pushing ------------------------------------------------------------------------------------


def test_immutable_tag_cannot_move(ecr: Any) -> None:
    _new_repository(ecr, "tests/immutable", imageTagMutability="IMMUTABLE")
    first = _manifest("immutable-1")
    ecr.put_image(repositoryName="tests/immutable", imageManifest=first, imageTag="v1")
    with pytest.raises(ClientError) as error:
        ecr.put_image(
            repositoryName="tests/immutable", imageManifest=_manifest("immutable-2"), imageTag="v1"
        )
    assert _error_code(error) == "ImageTagAlreadyExistsException"
    assert "cannot be overwritten because the repository is immutable" in str(error.value)
    with pytest.raises(ClientError) as error:
        ecr.put_image(repositoryName="tests/immutable", imageManifest=first, imageTag="v1")
    assert _error_code(error) == "ImageAlreadyExistsException"
    # A new tag on the same image is fine.
    ecr.put_image(repositoryName="tests/immutable", imageManifest=first, imageTag="v1-stable")
    (detail,) = _all_images(ecr, "tests/immutable")
    assert sorted(detail["imageTags"]) == ["v1", "v1-stable"]


def test_mutable_repush_leaves_the_old_image_untagged(ecr: Any) -> None:
    _new_repository(ecr, "tests/mutable")
    old, new = _manifest("mutable-old"), _manifest("mutable-new", (5, 7, 11))
    ecr.put_image(repositoryName="tests/mutable", imageManifest=old, imageTag="latest")
    ecr.put_image(repositoryName="tests/mutable", imageManifest=new, imageTag="latest")
    details = {d["imageDigest"]: d for d in _all_images(ecr, "tests/mutable")}
    assert set(details) == {_sha256(old), _sha256(new)}
    assert "imageTags" not in details[_sha256(old)]
    assert details[_sha256(new)]["imageTags"] == ["latest"]
    assert details[_sha256(new)]["imageSizeInBytes"] == 23
    untagged = ecr.list_images(repositoryName="tests/mutable", filter={"tagStatus": "UNTAGGED"})
    assert untagged["imageIds"] == [{"imageDigest": _sha256(old)}]


def test_put_image_digest(ecr: Any) -> None:
    _new_repository(ecr, "tests/digests")
    manifest = _manifest("digest")
    put = ecr.put_image(repositoryName="tests/digests", imageManifest=manifest, imageTag="a")
    assert put["image"]["imageId"]["imageDigest"] == _sha256(manifest)
    explicit = "sha256:" + "ab" * 32
    put = ecr.put_image(repositoryName="tests/digests", imageManifest=_manifest("other"),
                        imageTag="b", imageDigest=explicit)  # fmt: skip
    assert put["image"]["imageId"]["imageDigest"] == explicit
    got = ecr.batch_get_image(repositoryName="tests/digests", imageIds=[{"imageTag": "a"}])
    assert got["images"][0]["imageManifest"] == manifest


def test_errors_are_ecr_json_errors(ecr: Any) -> None:
    with pytest.raises(ClientError) as error:
        ecr.describe_images(repositoryName="no/such-repository")
    assert _error_code(error) == "RepositoryNotFoundException"
    with pytest.raises(ClientError) as error:
        ecr.describe_images(repositoryName=BIG_REPOSITORY, imageIds=[{"imageTag": "nope"}])
    assert _error_code(error) == "ImageNotFoundException"
    with pytest.raises(ClientError) as error:
        ecr.put_image(repositoryName="no/such-repository", imageManifest=_manifest("x"))
    assert _error_code(error) == "RepositoryNotFoundException"


# -- tokens, identity, passthrough ----------------------------------------------------------------


def test_authorization_token_and_identity(endpoint: LocalEcr, ecr: Any) -> None:
    (data,) = ecr.get_authorization_token()["authorizationData"]
    assert base64.b64decode(data["authorizationToken"]).decode() == f"AWS:{PASSWORD}"
    assert abs(data["expiresAt"].timestamp() - (time.time() + 12 * 3600)) < 60
    identity = _client(endpoint.url, "sts").get_caller_identity()
    assert identity["Account"] == ACCOUNT_ID
    # Calls we do not answer reach moto unchanged.
    arn = ecr.describe_repositories(repositoryNames=["payments/api"])["repositories"][0]
    tags = ecr.list_tags_for_resource(resourceArn=arn["repositoryArn"])["tags"]
    assert tags == [{"Key": "team", "Value": "payments"}]


# -- hooks for the registry behind the demo -------------------------------------------------------


def test_registry_hooks() -> None:
    account = "444455556666"
    with LocalEcr(account_id=account, scan_seconds=SCAN_SECONDS) as server:
        ecr = _client(server.url)
        reason = server.check_push_allowed("team/app", "1.0")
        assert reason is not None and "does not exist" in reason
        _new_repository(ecr, "team/app", imageTagMutability="IMMUTABLE")
        server.attach_registry("127.0.0.1:5999", "s3cret")
        assert server.check_push_allowed("team/app", "1.0") is None

        manifest = _manifest("pushed", (300, 700)).encode()
        media = "application/vnd.docker.distribution.manifest.v2+json"
        digest = server.record_push("team/app", "1.0", manifest, media)
        assert digest == _sha256(manifest)
        assert server.record_push("team/app", "1.0", manifest, media) == digest  # replayed event
        reason = server.check_push_allowed("team/app", "1.0")
        assert reason is not None and "immutable" in reason
        with pytest.raises(EcrError) as error:
            server.record_push("team/app", "1.0", _manifest("other").encode(), media)
        assert error.value.code == "ImageTagAlreadyExistsException"

        (detail,) = _all_images(ecr, "team/app")
        assert detail["imageTags"] == ["1.0"] and detail["imageSizeInBytes"] == 1000
        assert "lastRecordedPullTime" not in detail
        assert server.record_pull("team/app", "1.0")
        assert server.record_pull("team/app", digest)
        assert not server.record_pull("team/app", "missing")
        (detail,) = _all_images(ecr, "team/app")
        assert abs(detail["lastRecordedPullTime"].timestamp() - time.time()) < 5

        repository = ecr.describe_repositories()["repositories"][0]
        assert repository["repositoryUri"] == "127.0.0.1:5999/team/app"
        (data,) = ecr.get_authorization_token()["authorizationData"]
        assert data["proxyEndpoint"] == "http://127.0.0.1:5999"
        assert base64.b64decode(data["authorizationToken"]) == b"AWS:s3cret"


# -- the dataset and the demo launcher -----------------------------------------------------------


def test_dataset_is_deterministic_and_consistent() -> None:
    def digests(seed: int) -> list[str]:
        dataset = build_dataset(repositories=6, big_repository_images=50, seed=seed, now=1.7e9)
        return [image.digest for r in dataset.repositories for image in r.images()]

    assert digests(7) == digests(7)
    assert digests(7) != digests(8)
    dataset = build_dataset(repositories=60, big_repository_images=300)
    for repository in dataset.repositories:
        for image in repository.images():
            assert repository.created_at <= image.pushed_at <= dataset.now
            if image.last_pulled_at is not None:
                assert image.pushed_at <= image.last_pulled_at <= dataset.now
            scan = image.scan
            if scan is not None and scan.completed_at is not None:
                assert image.pushed_at <= scan.started_at <= scan.completed_at <= dataset.now


def test_launcher_runs_the_endpoint_in_a_child_process() -> None:
    with start_demo_endpoint(repositories=4, big_images=200) as demo:
        assert demo.process.poll() is None
        repositories = _client(demo.url).describe_repositories()["repositories"]
        assert len(repositories) == 4
        assert demo.account_id == repositories[0]["registryId"]
        # werkzeug is silenced: requests leave no trace in the child's log.
        assert "POST" not in demo.log_path.read_text()
    assert demo.process.poll() == 0  # a clean exit on SIGTERM


def test_repositories_are_served_while_images_are_seeded_and_nothing_half_seeded() -> None:
    """`--ready-before-images`: the repositories answer at once, images only when whole."""

    dataset = build_dataset(repositories=6, big_repository_images=3000)
    with LocalEcr(account_id="444455556666") as server:
        server.seed_repositories(dataset)
        client = _client(server.url)
        names = {r["repositoryName"] for r in client.describe_repositories()["repositories"]}
        assert names == {spec.name for spec in dataset.repositories}

        answered: list[int] = []
        waiting = threading.Thread(
            target=lambda: answered.append(
                len(
                    client.describe_images(repositoryName=BIG_REPOSITORY, maxResults=1000)[
                        "imageDetails"
                    ]
                )
            )
        )
        waiting.start()
        waiting.join(0.5)
        assert waiting.is_alive() and not answered  # held, not answered from half the images
        server.seed_images(dataset)
        waiting.join(10)
        assert answered == [1000]
        big = next(spec for spec in dataset.repositories if spec.name == BIG_REPOSITORY)
        listed = client.get_paginator("list_images").paginate(repositoryName=BIG_REPOSITORY)
        digests = {image["imageDigest"] for page in listed for image in page["imageIds"]}
        assert len(digests) == len(list(big.images()))


def test_a_demo_endpoint_that_cannot_start_says_why() -> None:
    from ecr_tui.demo.launcher import DemoEndpointError, spawn_demo_endpoint

    launch = spawn_demo_endpoint(repositories=-1, registry=False)
    with pytest.raises(DemoEndpointError) as raised:
        launch.wait_ready(timeout=20)
    # The end of the child's own log, not "(no log)".
    assert "-1 is negative" in str(raised.value)
