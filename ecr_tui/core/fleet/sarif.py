"""Findings as SARIF 2.1.0, the format code-scanning tools read.

One rule per vulnerability (with its CVSS score as `security-severity`, which
GitHub code scanning sorts by), one result per image and finding. An image is
not a source file: its location is the image's URI
(`ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY@DIGEST`, a valid relative URI
reference) as an artifact location, its reference as a logical location, and
every result has a fingerprint of what it is about, so a tool can tell a result
seen again from a new one. The run names the registry (account) and region.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, TextIO
from urllib.parse import quote

from ecr_tui import __version__
from ecr_tui.core.fleet.document import Export, ImageLocation
from ecr_tui.core.fleet.groups import AffectedImage
from ecr_tui.core.models import Finding, Severity

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/ecr-tui/ecr-tui"

# SARIF's levels: what a code-scanning tool treats as an error, a warning, a note.
_LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFORMATIONAL: "note",
    Severity.UNTRIAGED: "warning",  # unrated is not known to be harmless
    Severity.UNDEFINED: "warning",
}


def level(severity: Severity) -> str:
    """The SARIF level of a severity."""
    return _LEVELS[severity]


def write_sarif(export: Export, out: TextIO) -> None:
    """The export as a SARIF 2.1.0 log, written a result at a time.

    The results come before the tool's rules in the document (JSON does not
    order an object's members): the rules are known once every result is out.
    """
    rules: dict[str, tuple[int, dict[str, Any]]] = {}
    out.write(f'{{\n  "$schema": {json.dumps(SCHEMA)},\n  "version": "2.1.0",\n')
    out.write('  "runs": [\n    {\n      "results": [')
    for index, row in enumerate(export.rows):
        out.write(",\n        " if index else "\n        ")
        out.write(json.dumps(_result(row, export.locate(row), rules)))
    out.write("\n      ],\n" if export.rows else "],\n")
    rest = json.dumps(_run(export, [rule for _, rule in rules.values()]), indent=2)
    members = rest[1:-1].strip("\n")  # without the braces: the run's other members
    out.write("\n".join("    " + line for line in members.splitlines()))
    out.write("\n    }\n  ]\n}\n")


def to_sarif(export: Export) -> dict[str, Any]:
    """The export as a SARIF 2.1.0 log (a dict ready for json.dumps)."""
    rules: dict[str, tuple[int, dict[str, Any]]] = {}
    results = [_result(row, export.locate(row), rules) for row in export.rows]
    run = _run(export, [rule for _, rule in rules.values()])
    run["results"] = results
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def _result(
    row: AffectedImage, where: ImageLocation, rules: dict[str, tuple[int, dict[str, Any]]]
) -> dict[str, Any]:
    """One result; its rule joins `rules` (with its index) on its vulnerability's first."""
    finding = row.finding
    if finding.name not in rules:
        rules[finding.name] = (len(rules), _rule(finding))
    reference = where.uri or artifact_path(where.repository, row.image.digest)
    return {
        "ruleId": finding.name,
        "ruleIndex": rules[finding.name][0],
        "level": level(finding.severity),
        "message": {"text": _message(finding, reference, row.image.tags)},
        "locations": [
            {
                "physicalLocation": {"artifactLocation": {"uri": reference}},
                "logicalLocations": [{"fullyQualifiedName": reference, "kind": "module"}],
            }
        ],
        "partialFingerprints": {"ecrTuiFinding/v1": _fingerprint(reference, finding)},
        "properties": {
            "severity": finding.severity.name,
            "fixAvailable": finding.fix.name,
            "exploitAvailable": finding.exploit or "UNKNOWN",
            "imageTags": list(row.image.tags),
            "platform": row.platform,
            "account": where.account or None,
            "region": where.region or None,
        },
    }


def _run(export: Export, rules: list[dict[str, Any]]) -> dict[str, Any]:
    """A run's members but its results: the tool with its rules, what it covered."""
    return {
        "tool": {
            "driver": {
                "name": "ecr-tui",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        "properties": {
            "title": f"{export.title} · {export.where}",
            "account": export.account or None,
            "region": export.region or None,
            "scope": list(export.scope),
            "coverage": export.coverage,
            "complete": export.complete,
        },
        "invocations": [
            {
                "executionSuccessful": export.complete,
                "endTimeUtc": export.when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        ],
    }


def artifact_path(repository: str, digest: str) -> str:
    """`repository@digest` as a valid relative URI reference, for an image whose registry is
    not known: the digest's ":" escaped (a first path segment may not hold one)."""
    return quote(f"{repository}@{digest}", safe="/@")


def _rule(finding: Finding) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": finding.name,
        "name": finding.name.replace("-", ""),
        "shortDescription": {"text": finding.title or finding.name},
        "fullDescription": {"text": finding.description or finding.name},
        "defaultConfiguration": {"level": level(finding.severity)},
        "properties": {"tags": ["security", "vulnerability", "container"]},
    }
    if finding.uri:
        rule["helpUri"] = finding.uri
    if finding.score is not None:
        rule["properties"]["security-severity"] = f"{finding.score:.1f}"
    return rule


def _message(finding: Finding, reference: str, tags: tuple[str, ...]) -> str:
    package = f"{finding.package} {finding.package_version}".strip()
    where = f"{reference} ({', '.join(tags)})" if tags else reference
    text = f"{finding.name} ({finding.severity.name})"
    if package:
        text += f" in {package}"
    text += f" in {where}"
    if finding.fixed_in:
        text += f"; fixed in {finding.fixed_in}"
    return text + "."


def _fingerprint(reference: str, finding: Finding) -> str:
    packages = ",".join(sorted(f"{p.name}@{p.version}" for p in finding.packages))
    key = f"{reference}|{finding.name}|{packages}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]
