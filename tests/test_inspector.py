"""Fleet triage from Amazon Inspector (inspector2) against the demo endpoint.

The Inspector path must give the fan-out's answer for the same data: the
expectations come from DescribeImageScanFindings (read by the fan-out, or page
by page with a plain client), never from the Inspector code under test. The
demo's inspector2 answers are checked against botocore's model like its ECR ones.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from ecr_tui.core.ecr import ConnectionSettings, EcrService
from ecr_tui.core.fleet.fanout import FleetScan
from ecr_tui.core.fleet.groups import FleetFindings
from ecr_tui.core.fleet.inspector import InspectorScan
from ecr_tui.core.fleet.scope import Scope
from ecr_tui.core.fleet.source import SourcedScan
from ecr_tui.core.models import Severity
from ecr_tui.demo.data.dataset import Dataset, build_dataset
from ecr_tui.demo.endpoint import LocalEcr
from tests.api_contract import RawAnswers, answer_violations, service_model
from tests.conftest import FIXED_NOW

NOW = FIXED_NOW.timestamp()
HOME = "123456789012"  # the session endpoint's account
ADMIN = "313131313131"  # Inspector's delegated administrator in the organisation test
MEMBER = "424242424242"  # a member account it administers
MEMBER_REGION = "eu-north-1"  # (moto's state is per process: a region no other test uses)


def inspector_client(url: str, raw: RawAnswers | None = None, **keys: str) -> Any:
    client = boto3.client(
        "inspector2",
        endpoint_url=url,
        region_name=keys.pop("region", "us-east-1"),
        aws_access_key_id=keys.get("key", "test"),
        aws_secret_access_key=keys.get("secret", "test"),
        aws_session_token=keys.get("token"),
        config=Config(retries={"max_attempts": 1}),
    )
    return raw.attach(client) if raw is not None else client


def answer(findings: FleetFindings) -> set[tuple[object, ...]]:
    """Every (image, finding) kept, by what both sources report alike."""
    return {
        (
            a.image.repository,
            a.image.digest,
            a.image.tags,
            a.finding.name,
            a.finding.severity,
            a.finding.score,
            a.finding.fix,
            a.finding.exploit,
            a.finding.packages,
        )
        for a in findings.all_findings()
    }


def groups(findings: FleetFindings) -> set[tuple[object, ...]]:
    """The three groupings' counts."""
    vulnerabilities = findings.by_vulnerability()
    return (
        {("cve", g.cve, g.images, g.repositories, g.severity, g.fix) for g in vulnerabilities}
        | {("repo", g.repository, g.images, g.counts, g.fixable) for g in findings.by_repository()}
        | {("package", g.package, g.version, g.findings, g.images) for g in findings.by_package()}
    )


def fan_out(settings: ConnectionSettings, scope: Scope, repositories: set[str]) -> FleetFindings:
    """The fan-out's answer over these repositories, one repository at a time."""
    findings = FleetFindings(scope)
    for name in sorted(repositories):
        service = EcrService(settings, read_only=True)
        one = Scope(**{**_fields(scope), "repository": name})
        result = FleetScan(service, one, now=NOW, findings=findings).run()
        assert result.coverage.complete, result.problems
    return findings


def _fields(scope: Scope) -> dict[str, Any]:
    return {name: getattr(scope, name) for name in scope.__dataclass_fields__}


@pytest.fixture(scope="module")
def inspected(ecr_settings: ConnectionSettings) -> tuple[InspectorScan, EcrService]:
    """Inspector's answer for the whole registry (what it scans), read once."""
    service = EcrService(ecr_settings, read_only=True)
    scan = InspectorScan(service, Scope(), now=NOW, home_account=HOME)
    scan.run()
    return scan, service


def test_inspector_and_the_fan_out_give_the_same_answer(
    inspected: tuple[InspectorScan, EcrService], ecr_settings: ConnectionSettings
) -> None:
    scan, _ = inspected
    scanned = scan.coverage.scanned_repositories
    assert {"payments/api", "web/storefront", "apps/web-frontend"} <= scanned
    assert scan.result.problems == [] and scan.coverage.complete
    expected = fan_out(ecr_settings, Scope(), scanned)
    assert answer(scan.result.findings) == answer(expected)
    assert groups(scan.result.findings) == groups(expected)
    # Every image with findings is there, with its push time, and no other.
    images = {(a.image.repository, a.image.digest) for a in expected.all_findings()}
    assert {(a.image.repository, a.image.digest) for a in scan.result.findings.all_findings()} == (
        images
    )
    assert all(a.image.pushed_seconds for a in scan.result.findings.all_findings())
    # Inspector reports EPSS; the fan-out cannot.
    assert any(g.epss is not None for g in scan.result.findings.by_vulnerability())
    line = scan.coverage.line()
    assert f"findings for {scan.coverage.with_findings:,} of" in line
    assert "not scanned by Inspector (scan frequency manual)" in line


def equals(value: str) -> dict[str, str]:
    return {"comparison": "EQUALS", "value": value}


SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNTRIAGED"]


def minimum_pages(endpoint: LocalEcr, criteria: dict[str, Any], severities: list[str]) -> int:
    """Pages of 100 a query per severity needs (one when it finds nothing), read plainly."""
    client = inspector_client(endpoint.url)
    pages = 0
    for severity in severities:
        paginator = client.get_paginator("list_findings")
        wanted = {**criteria, "severity": [equals(severity)]}
        answered = paginator.paginate(filterCriteria=wanted, PaginationConfig={"PageSize": 100})
        pages += len(list(answered))
    return pages


def test_findings_filters_are_sent_to_inspector_and_agree(
    ecr_settings: ConnectionSettings, local_ecr: LocalEcr
) -> None:
    scope = Scope(min_severity=Severity.HIGH, keep_unrated=False, fixable=True)
    service = EcrService(ecr_settings, read_only=True)
    one = Scope(**{**_fields(scope), "repository": "web/storefront"})
    scan = InspectorScan(service, one, now=NOW, home_account=HOME)
    scan.run()
    expected = fan_out(ecr_settings, scope, {"web/storefront"})
    assert answer(scan.result.findings) and answer(scan.result.findings) == answer(expected)
    # The filters went to Inspector: it sent only what is kept, 100 a page (a query per
    # severity kept, side by side).
    assert service.call_count("ListFindings") == minimum_pages(
        local_ecr,
        {
            "ecrImageRepositoryName": [equals("web/storefront")],
            "fixAvailable": [equals("YES"), equals("PARTIAL")],
        },
        ["CRITICAL", "HIGH"],
    )
    assert service.call_count("DescribeImageScanFindings") == 0


def test_paging_reads_each_finding_once_in_the_fewest_calls(
    inspected: tuple[InspectorScan, EcrService], local_ecr: LocalEcr
) -> None:
    scan, service = inspected
    client = inspector_client(local_ecr.url)
    pages = list(client.get_paginator("list_findings").paginate(PaginationConfig={"PageSize": 37}))
    arns = [f["findingArn"] for page in pages for f in page["findings"]]
    assert len(arns) == len(set(arns)) and len(pages) == math.ceil(len(arns) / 37)
    in_scope = scan.result.findings.finding_count
    assert len(arns) == in_scope  # every active finding is of an image in scope
    assert service.call_count("ListFindings") == minimum_pages(local_ecr, {}, SEVERITIES)
    coverage = [
        r for p in client.get_paginator("list_coverage").paginate() for r in p["coveredResources"]
    ]
    assert service.call_count("ListCoverage") == math.ceil(len(coverage) / 200)
    assert service.call_count("DescribeImageScanFindings") == 0
    # A token only resumes the query it came from.
    token = pages[0]["nextToken"]
    with pytest.raises(client.exceptions.ValidationException):
        client.list_findings(maxResults=37, nextToken=token, filterCriteria={
            "severity": [{"comparison": "EQUALS", "value": "HIGH"}]
        })  # fmt: skip


def test_the_demos_inspector_answers_are_ones_real_inspector_can_send(local_ecr: LocalEcr) -> None:
    raw = RawAnswers()
    client = inspector_client(local_ecr.url, raw)
    equals = {"comparison": "EQUALS", "value": "web/storefront"}
    client.list_findings(maxResults=100, filterCriteria={"ecrImageRepositoryName": [equals]})
    client.list_coverage(maxResults=200)
    for kind in ("REPOSITORY", "AWS_ECR_CONTAINER", "PACKAGE", "FINDING_TYPE"):
        found = client.list_finding_aggregations(aggregationType=kind, maxResults=100)
        assert found["responses"], kind
    answers = raw.take()
    assert len(answers) == 6
    assert [p for a in answers for p in answer_violations(a)] == []
    # What the app reads is there, as Inspector names it.
    finding = json.loads(answers[0].body)["findings"][0]
    assert finding["resources"][0]["type"] == "AWS_ECR_CONTAINER_IMAGE"
    assert {"inspectorScore", "epss", "fixAvailable", "exploitAvailable"} <= set(finding)


def test_access_denied_falls_back_to_the_fan_out_and_names_the_permission(
    organisation: LocalEcr,
) -> None:
    """A member account's reader role has no inspector2 permission: the fan-out answers."""
    keys = assume_role(organisation, MEMBER)
    denied = inspector_client(organisation.url, region=MEMBER_REGION, **keys)
    with pytest.raises(denied.exceptions.AccessDeniedException) as refused:
        denied.list_findings()
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert "AccessDeniedException" in {s.name for s in service_model("inspector2").error_shapes}
    settings = ConnectionSettings(
        endpoint_url=organisation.url,
        region=MEMBER_REGION,
        demo=True,
        sts_endpoint_url=organisation.url,
        credentials=(keys["key"], keys["secret"], keys["token"]),
    )
    service = EcrService(settings, read_only=True)
    scan = SourcedScan(service, Scope(), now=NOW)
    result = scan.run()
    said = scan.answered_by()
    assert said.startswith("source: DescribeImageScanFindings, as Amazon Inspector refused")
    assert "inspector2:ListCoverage" in said and "inspector2:ListFindings" in said
    assert result.coverage.complete and result.findings.finding_count > 0
    assert service.call_count("DescribeImageScanFindings") > 0
    # Told to use Inspector only, it says why there is nothing, and reads nothing else.
    only = SourcedScan(EcrService(settings, read_only=True), Scope(), source="inspector", now=NOW)
    refused_result = only.run()
    assert refused_result.findings.finding_count == 0
    assert any("inspector2:ListFindings" in p for p in refused_result.problems)


def assume_role(endpoint: LocalEcr, account: str) -> dict[str, str]:
    sts = boto3.client(
        "sts",
        endpoint_url=endpoint.url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    role = f"arn:aws:iam::{account}:role/ecr-demo-reader"
    credentials = sts.assume_role(RoleArn=role, RoleSessionName="ecr-tui-demo")["Credentials"]
    return {
        "key": credentials["AccessKeyId"],
        "secret": credentials["SecretAccessKey"],
        "token": credentials["SessionToken"],
    }


@pytest.fixture(scope="module")
def organisation() -> Iterator[LocalEcr]:
    """An administrator account whose Inspector sees a member's registry (small ones)."""
    server = LocalEcr(account_id=ADMIN, region=MEMBER_REGION)
    server.start()
    home = build_dataset(12, big_repository_images=0, seed=31, now=NOW)
    member = build_dataset(12, big_repository_images=0, seed=42, now=NOW)
    assert enhanced(home) and enhanced(member)
    server.seed(home)
    server.seed_contexts([(MEMBER, MEMBER_REGION, member)])
    server.administer_inspector([MEMBER])
    yield server
    server.stop()


def enhanced(dataset: Dataset) -> list[str]:
    return [r.name for r in dataset.repositories if r.profile.enhanced]


def test_a_delegated_administrator_sees_members_findings_with_their_account(
    organisation: LocalEcr,
) -> None:
    settings = ConnectionSettings(
        endpoint_url=organisation.url,
        region=MEMBER_REGION,
        demo=True,
        sts_endpoint_url=organisation.url,
    )
    service = EcrService(settings, read_only=True)
    scan = SourcedScan(service, Scope(), now=NOW)
    result = scan.run()
    assert scan.answered_by().startswith("source: Amazon Inspector, and DescribeImageScanFindings")
    repositories = {g.repository for g in result.findings.by_repository()}
    theirs = {r for r in repositories if r.startswith(f"{MEMBER}:")}
    assert theirs, repositories
    # Each is one of the member's Inspector-scanned repositories, read as the member reads it.
    keys = assume_role(organisation, MEMBER)
    member_ecr = boto3.client(
        "ecr",
        endpoint_url=organisation.url,
        region_name=MEMBER_REGION,
        aws_access_key_id=keys["key"],
        aws_secret_access_key=keys["secret"],
        aws_session_token=keys["token"],
    )
    for name in theirs:
        repository = name.removeprefix(f"{MEMBER}:")
        images = member_ecr.describe_images(repositoryName=repository)["imageDetails"]
        digests = {i["imageDigest"] for i in images}
        rows = [image for image, _ in result.findings.images_of(name)]
        assert rows and {image.digest for image in rows} <= digests
    # Our own repositories keep their plain names.
    assert repositories - theirs and not any(":" in r for r in repositories - theirs)


def test_a_local_endpoint_is_never_answered_by_aws_inspector(local_ecr: LocalEcr) -> None:
    """`--endpoint-url` to a registry that is not AWS's: Inspector would speak of another one."""
    settings = ConnectionSettings(endpoint_url=local_ecr.url, region="us-east-1")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
    scan = SourcedScan(EcrService(settings, read_only=True), Scope(repository="payments/api"))
    scan.run()
    assert scan.answered_by() == (
        "source: DescribeImageScanFindings, as the ECR endpoint is not AWS's: "
        "Amazon Inspector would answer for another registry"
    )


def test_export_on_an_enhanced_registry_reads_inspector() -> None:
    """`ecr-tui export findings --demo` on a repository Inspector scans: its few calls."""
    env = dict(os.environ)
    env.pop("AWS_PROFILE", None)
    command = [sys.executable, "-m", "ecr_tui.cli", "export", "findings", "--demo"]
    command += ["--repository", "web/storefront", "--min-severity", "critical", "--format", "json"]
    by_inspector = subprocess.run(command, capture_output=True, text=True, env=env, timeout=240)
    by_fan_out = subprocess.run(
        [*command, "--source", "scan-findings"],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
    )
    assert by_inspector.returncode == 1, by_inspector.stderr  # criticals were found
    assert by_fan_out.returncode == 1, by_fan_out.stderr
    assert "source: Amazon Inspector" in by_inspector.stderr
    assert "source: DescribeImageScanFindings" in by_fan_out.stderr
    inspector_rows = json.loads(by_inspector.stdout)["findings"]
    fan_out_rows = json.loads(by_fan_out.stdout)["findings"]

    def key(row: dict[str, Any]) -> tuple[str, str, str]:
        return (row["repository"], row["image_digest"], row["vulnerability"])

    assert inspector_rows and sorted(map(key, inspector_rows)) == sorted(map(key, fan_out_rows))
