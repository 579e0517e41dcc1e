"""How a finding reads on screen: its table cells and its details, unknowns said as unknown."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.text import Text

from ecr_tui.core.models import (
    FIX_NOT_AVAILABLE,
    Finding,
    FixAvailable,
    VulnerablePackage,
)
from ecr_tui.ui.format import (
    SEVERITY_LABEL,
    SEVERITY_STYLE_NAME,
    Palette,
    absolute_time,
    relative_time,
)

# What a cell shows for a value ECR did not report.
UNKNOWN = "—"


def severity_cell(finding: Finding, palette: Palette) -> Text:
    """'Critical', ..., 'Untriaged', whole in the column, in the severity's colour."""
    return Text(SEVERITY_LABEL[finding.severity], palette(SEVERITY_STYLE_NAME[finding.severity]))


def fix_cell(finding: Finding, palette: Palette) -> Text:
    """The fixed version when there is one; 'partial …', 'none', or — (not reported)."""
    fix = finding.fix
    if fix is FixAvailable.UNKNOWN:
        return Text(UNKNOWN, palette("muted"))
    if fix is FixAvailable.NO:
        return Text("none", palette("muted"))
    version = finding.fixed_in
    if fix is FixAvailable.PARTIAL:
        return Text(f"partial {version}".strip(), palette("medium"))
    return Text(version or "yes", palette("ok"))


def exploit_cell(finding: Finding, palette: Palette) -> Text:
    """'yes' (loud), 'no', or — when not reported (basic scanning never says)."""
    if finding.exploit == "YES":
        return Text("yes", palette("critical"))
    if finding.exploit:
        return Text(finding.exploit.lower(), palette("muted"))
    return Text(UNKNOWN, palette("muted"))


def package_cell(finding: Finding) -> str:
    """The first package, and how many more distinct ones the finding concerns."""
    names = list(dict.fromkeys(p.name for p in finding.packages))
    if not names:
        return ""
    return names[0] + (f" +{len(names) - 1}" if len(names) > 1 else "")


def platforms_cell(finding: Finding, platforms: Sequence[str]) -> str:
    """'all' when found on every platform shown, else the platforms, short."""
    if platforms and set(finding.platforms) >= set(platforms):
        return "all"
    return ", ".join(short_platform(p) for p in finding.platforms)


def short_platform(platform: str) -> str:
    """'linux/arm64' as 'arm64' (most images are Linux), other systems in full."""
    return platform.removeprefix("linux/")


def score_text(score: float | None) -> str:
    """A score to one decimal, or — when there is none."""
    return UNKNOWN if score is None else f"{score:.1f}"


FIX_WORDS = {
    FixAvailable.YES: "yes: every vulnerable package has a fixed version",
    FixAvailable.PARTIAL: "partial: some vulnerable packages have a fixed version",
    FixAvailable.NO: "no: no fixed version is published",
    FixAvailable.UNKNOWN: "unknown: basic scanning does not report fixes",
}


def fixed_in_text(package: VulnerablePackage, source: str) -> str:
    """A package's fixed version, 'not available' (Inspector knows none), or unknown."""
    if package.fixed_in == FIX_NOT_AVAILABLE:
        return "not available"
    if package.fixed_in:
        return package.fixed_in
    return "unknown" + (" (basic scanning does not report it)" if source == "basic" else "")


def package_lines(package: VulnerablePackage, source: str) -> str:
    """A vulnerable package in full: name, version, where it is, what fixes it."""
    version = package.version
    if package.epoch:  # Inspector sends 0 for none
        version = f"{package.epoch}:{version}"
    if package.release:
        version = f"{version}-{package.release}"
    head = " ".join(part for part in (package.name, version, package.arch) if part)
    if package.package_manager:
        head += f" ({package.package_manager})"
    if package.platform:
        head = f"[{package.platform}] {head}"
    lines = [head, f"  fixed in: {fixed_in_text(package, source)}"]
    if package.file_path:
        lines.append(f"  file: {package.file_path}")
    if package.source_layer_hash:
        lines.append(f"  layer: {package.source_layer_hash}")
    return "\n".join(lines)


def _when(moment: datetime | None) -> str:
    return f"{absolute_time(moment)} ({relative_time(moment)})" if moment else UNKNOWN


def detail_rows(finding: Finding) -> list[tuple[str, str]]:
    """(label, value) lines for a finding's details: every field ECR sent."""
    enhanced = finding.source == "enhanced"
    severity = finding.severity.name.title()
    if finding.vendor_severity and finding.vendor_severity.upper() != finding.severity.name:
        severity += f" (vendor: {finding.vendor_severity.lower()})"
    rows: list[tuple[str, str]] = [("Severity", severity)]
    if enhanced:
        rows.append(("Inspector score", _inspector_score(finding)))
        rows.extend(_adjustment_rows(finding))
    else:
        rows.append(("Score", score_text(finding.score)))
    for cvss in finding.cvss:
        label = f"CVSS {cvss.version}".strip() if cvss.version else "CVSS"
        source = f" ({cvss.source})" if cvss.source else ""
        rows.append((label + source, f"{score_text(cvss.score)} {cvss.vector}".strip()))
    if not finding.cvss and finding.cvss_vector:
        rows.append(("CVSS", finding.cvss_vector))
    rows.append(("Fix available", FIX_WORDS[finding.fix]))
    exploit = finding.exploit.lower() or "unknown" + ("" if enhanced else " (basic scanning)")
    rows.append(("Exploit available", exploit))
    if finding.platforms:
        rows.append(("Platforms", ", ".join(finding.platforms)))
    packages = finding.packages
    if packages:
        label = "Package" if len(packages) == 1 else f"Packages ({len(packages)})"
        rows.append((label, "\n".join(package_lines(p, finding.source) for p in packages)))
    else:
        rows.append(("Package", UNKNOWN))
    scanning = finding.source + (f" ({finding.status.lower()})" if finding.status else "")
    rows.append(("Scanning", scanning))
    if enhanced:
        rows.extend(
            [
                ("Type", finding.type or UNKNOWN),
                ("Title", finding.title or UNKNOWN),
                ("First observed", _when(finding.first_observed)),
                ("Last observed", _when(finding.last_observed)),
                ("Updated", _when(finding.updated_at)),
                ("Source", finding.vulnerability_source or UNKNOWN),
                ("Vendor published", _when(finding.vendor_created_at)),
                ("Vendor updated", _when(finding.vendor_updated_at)),
            ]
        )
        if finding.related:
            rows.append(("Related", ", ".join(finding.related)))
    rows.append(("Link", finding.uri or UNKNOWN))
    if finding.reference_urls:
        rows.append(("References", "\n".join(finding.reference_urls)))
    if finding.remediation_url:
        rows.append(("Remediation link", finding.remediation_url))
    if finding.finding_arns:
        label = "Finding ARN" if len(finding.finding_arns) == 1 else "Finding ARNs"
        rows.append((label, "\n".join(finding.finding_arns)))
    shown = {"package_name", "package_version"}
    for key, value in finding.attributes:
        if key not in shown:
            rows.append((key, value))
    return rows


def _inspector_score(finding: Finding) -> str:
    text = score_text(finding.score)
    basis = " ".join(
        part
        for part in (
            f"CVSS {finding.score_version}" if finding.score_version else "",
            f"from {finding.score_source}" if finding.score_source else "",
        )
        if part
    )
    if basis:
        text += f" ({basis})"
    if finding.cvss_vector:
        text += f" {finding.cvss_vector}"
    return text


def _adjustment_rows(finding: Finding) -> list[tuple[str, str]]:
    if not finding.adjustments:
        if not (finding.score_source or finding.score_version):
            return []  # no scoreDetails: nothing to say about adjustments
        return [("Adjustments", "none: the score is the CVSS base score")]
    return [
        ("Adjusted" if n == 0 else "", f"{a.metric}: {a.reason}".strip(": "))
        for n, a in enumerate(finding.adjustments)
    ]
