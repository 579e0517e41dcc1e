"""Findings as SARIF 2.1.0, the format code-scanning tools read.

One rule per vulnerability (with its CVSS score as `security-severity`, which
GitHub code scanning sorts by), one result per image and finding. An image is
not a source file: its location is the image reference (`repository@digest`)
as both an artifact location and a logical location, and every result has a
fingerprint of what it is about, so a tool can tell a result seen again from
a new one.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ecr_tui import __version__
from ecr_tui.core.fleet.document import Export
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


def to_sarif(export: Export) -> dict[str, Any]:
    """The export as a SARIF 2.1.0 log (a dict ready for json.dumps)."""
    rules: dict[str, dict[str, Any]] = {}
    indexes: dict[str, int] = {}
    results: list[dict[str, Any]] = []
    for row in export.rows:
        finding = row.finding
        if finding.name not in rules:
            indexes[finding.name] = len(rules)
            rules[finding.name] = _rule(finding)
        reference = f"{row.image.repository}@{row.image.digest}"
        results.append(
            {
                "ruleId": finding.name,
                "ruleIndex": indexes[finding.name],
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
                },
            }
        )
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "ecr-tui",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": list(rules.values()),
            }
        },
        "results": results,
        "properties": {
            "title": export.title,
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
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


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
