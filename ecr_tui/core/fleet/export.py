"""Findings out of the app: CSV, JSON, Markdown (for a ticket) and SARIF 2.1.0.

One shape goes in, whatever the view: an `Export` with its rows (an image and
one of its findings each) and what they are (a title, the filters in force,
the coverage line). One image's findings, one vulnerability's images and the
fleet with its filters all become an `Export`, so every format says the same.
What is unknown stays empty in CSV, null in JSON and "unknown" in Markdown.
Every format names the registry (account) and region the rows are about, and
each row its image's account, region and URI: a repository name alone is
ambiguous across accounts and regions.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

from ecr_tui.core.fleet.document import Export, ImageLocation
from ecr_tui.core.fleet.groups import AffectedImage, FleetFindings, fix_across
from ecr_tui.core.models import Finding, FixAvailable, Image, ScanReport

FORMATS = ("csv", "json", "markdown", "sarif")
# The file name ending of each format.
SUFFIXES = {"csv": ".csv", "json": ".json", "markdown": ".md", "sarif": ".sarif"}

CSV_COLUMNS = (
    "repository",
    "image_digest",
    "image_tags",
    "platform",
    "pushed_at",
    "last_pulled_at",
    "vulnerability",
    "severity",
    "score",
    "fix_available",
    "exploit_available",
    "package",
    "package_version",
    "fixed_in",
    "package_manager",
    "file_path",
    "scanning",
    "status",
    "reference_url",  # the vulnerability's advisory (not the image)
    "description",
    # Added after the first columns, which keep their places: which registry the image is in.
    "account",
    "region",
    "image_uri",
)


def fleet_export(
    findings: FleetFindings,
    coverage: str,
    complete: bool,
    title: str = "",
    *,
    account: str = "",
    region: str = "",
) -> Export:
    """The fleet's findings with the filters they were read with, in registry `account`
    of `region`."""
    scope = tuple(findings.scope.describe())
    return Export(
        title or "Vulnerabilities across the registry",
        tuple(findings.all_findings()),
        scope,
        coverage,
        complete,
        account=account,
        region=region,
    )


def vulnerability_export(
    findings: FleetFindings,
    cve: str,
    coverage: str,
    complete: bool,
    *,
    account: str = "",
    region: str = "",
) -> Export:
    """One vulnerability and every image in scope that has it."""
    rows = tuple(findings.affected_images(cve))
    name = rows[0].finding.name if rows else cve.upper()
    scope = tuple(findings.scope.describe())
    return Export(name, rows, scope, coverage, complete, account=account, region=region)


def image_export(
    image: Image,
    report: ScanReport,
    findings: Sequence[Finding] | None = None,
    *,
    account: str = "",
    region: str = "",
) -> Export:
    """One image's findings (those given, as a filtered view shows them; else all)."""
    shown = report.findings if findings is None else tuple(findings)
    name = image.tags[0] if image.tags else image.digest
    when = report.completed_at.isoformat() if report.completed_at else "unknown"
    coverage = f"scan {report.state.value}, completed {when}"
    return Export(
        f"{image.repository}:{name}" if image.tags else f"{image.repository}@{name}",
        tuple(AffectedImage(image, f) for f in shown),
        coverage=coverage,
        account=account,
        region=region,
    )


def render(export: Export, fmt: str) -> str:
    """The export as text in one of FORMATS (ValueError names them otherwise)."""
    out = io.StringIO()
    write(export, fmt, out)
    return out.getvalue()


def write(export: Export, fmt: str, out: TextIO) -> None:
    """Write the export to `out` as it goes, a row at a time: a fleet's export is
    hundreds of thousands of rows, and held whole as text it would take gigabytes."""
    if fmt == "csv":
        write_csv(export, out)
    elif fmt == "json":
        write_json(export, out)
    elif fmt == "markdown":
        write_markdown(export, out)
    elif fmt == "sarif":
        from ecr_tui.core.fleet.sarif import write_sarif

        write_sarif(export, out)
    else:
        raise ValueError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")


# -- rows as plain values ------------------------------------------------------------


def _moment(seconds: float | None) -> str:
    if seconds is None:
        return ""
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def _fix(finding: Finding) -> str:
    return "" if finding.fix is FixAvailable.UNKNOWN else finding.fix.name


def row_values(row: AffectedImage, where: ImageLocation) -> dict[str, Any]:
    """One row as flat values: CSV_COLUMNS, unknown as None. `where`: its image's registry."""
    image, finding = row.image, row.finding
    package = finding.packages[0] if finding.packages else None
    return {
        "repository": where.repository,
        "image_digest": image.digest,
        "image_tags": " ".join(image.tags),
        "platform": row.platform or None,
        "pushed_at": _moment(image.pushed_seconds) or None,
        "last_pulled_at": _moment(image.last_pulled_seconds) or None,
        "vulnerability": finding.name,
        "severity": finding.severity.name,
        "score": finding.score,
        "fix_available": _fix(finding) or None,
        "exploit_available": finding.exploit or None,
        "package": package.name if package else None,
        "package_version": package.version if package and package.version else None,
        "fixed_in": finding.fixed_in or None,
        "package_manager": package.package_manager if package and package.package_manager else None,
        "file_path": package.file_path if package and package.file_path else None,
        "scanning": finding.source,
        "status": finding.status or None,
        "reference_url": finding.uri or None,
        "description": finding.description or None,
        "account": where.account or None,
        "region": where.region or None,
        "image_uri": where.uri,
    }


def write_csv(export: Export, out: TextIO) -> None:
    """One line per (image, finding), CSV_COLUMNS; unknown is an empty field."""
    writer = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in export.rows:
        values = row_values(row, export.locate(row))
        writer.writerow({k: "" if v is None else v for k, v in values.items()})


def json_values(row: AffectedImage, where: ImageLocation) -> dict[str, Any]:
    """A row for JSON: its flat values, the tags as a list, and every package."""
    values = row_values(row, where)
    values["image_tags"] = list(row.image.tags)
    values["packages"] = [
        {
            "name": p.name,
            "version": p.version or None,
            "fixed_in": p.fixed_in or None,
            "package_manager": p.package_manager or None,
            "file_path": p.file_path or None,
        }
        for p in row.finding.packages
    ]
    return values


def write_json(export: Export, out: TextIO) -> None:
    """The rows with every package, and what they are; unknown is null. One finding a line."""
    head = {
        "title": export.title,
        "account": export.account or None,
        "region": export.region or None,
        "generated_at": export.when.isoformat(),
        "scope": list(export.scope),
        "coverage": export.coverage,
        "complete": export.complete,
    }
    out.write("{\n")
    for key, value in head.items():
        out.write(f"  {json.dumps(key)}: {json.dumps(value)},\n")
    out.write('  "findings": [')
    for index, row in enumerate(export.rows):
        out.write(",\n    " if index else "\n    ")
        out.write(json.dumps(json_values(row, export.locate(row))))
    out.write("\n  ]\n}\n" if export.rows else "]\n}\n")


# -- Markdown, for a ticket ------------------------------------------------------------


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def write_markdown(export: Export, out: TextIO) -> None:
    """A ticket's body: what, where, the vulnerabilities, then every affected image."""
    lines = [f"## {_cell(export.title)} · {export.where}", ""]
    if not export.complete:
        lines += ["> **Partial:** not every image in scope was read (see coverage).", ""]
    lines.append(f"- Registry: {export.account or 'unknown'} · region {export.region or 'unknown'}")
    if export.scope:
        lines.append(f"- Scope: {', '.join(export.scope)}")
    if export.coverage:
        lines.append(f"- Coverage: {export.coverage}")
    lines.append(f"- Generated: {export.when.strftime('%Y-%m-%d %H:%M UTC')} by ecr-tui")
    lines.append("")
    if not export.rows:
        lines.append("No findings in scope.")
        out.write("\n".join(lines) + "\n")
        return
    lines += [
        "| Vulnerability | Severity | Score | Fix | Exploit | Repositories | Images |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for cve, rows in _by_vulnerability(export.rows):
        finding = rows[0].finding
        repositories = len({r.image.repository for r in rows})
        images = len({(r.image.repository, r.image.digest) for r in rows})
        scores = [r.finding.score for r in rows if r.finding.score is not None]
        score = f"{max(scores):g}" if scores else "unknown"
        fix = fix_across({r.finding.fix for r in rows})
        exploits = {r.finding.exploit for r in rows}
        exploit = "YES" if "YES" in exploits else ("NO" if exploits == {"NO"} else "unknown")
        lines.append(
            f"| {_cell(cve)} | {max(r.finding.severity for r in rows).name} | {score} | "
            f"{fix.value} | {exploit} | {repositories} | {images} |"
        )
    lines += [
        "",
        "### Affected images",
        "",
        "| Repository | Tags | Digest | Pushed | Vulnerability | Package | Fixed in |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    out.write("\n".join(lines) + "\n")
    for row in export.rows:
        image, finding = row.image, row.finding
        package = f"{finding.package} {finding.package_version}".strip() or "unknown"
        pushed = _moment(image.pushed_seconds)[:10] or "unknown"
        out.write(
            f"| {_cell(image.repository)} | {_cell(', '.join(image.tags) or '(untagged)')} | "
            f"`{image.digest.removeprefix('sha256:')[:12]}` | {pushed} | {_cell(finding.name)} | "
            f"{_cell(package)} | {_cell(finding.fixed_in or 'none known')} |\n"
        )


def _by_vulnerability(rows: Iterable[AffectedImage]) -> list[tuple[str, list[AffectedImage]]]:
    grouped: dict[str, list[AffectedImage]] = {}
    for row in rows:
        grouped.setdefault(row.finding.name, []).append(row)
    return sorted(
        grouped.items(),
        key=lambda item: (-item[1][0].finding.severity, -(item[1][0].finding.score or 0.0)),
    )
