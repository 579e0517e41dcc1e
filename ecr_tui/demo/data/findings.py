"""The findings behind a scan: `Vulnerability` and `vulnerabilities(scan)`.

Findings are derived on demand from a pool per kind of image and severity
(known CVEs first, then generated ones), so nothing is stored per image and a
scan always lists the same findings.
"""

from __future__ import annotations

import calendar
import random
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from ecr_tui.demo.data.cves import CVSS2, CVSS3, FLAWS, KNOWN, KNOWN_IDS, THINGS, V3, KnownCve
from ecr_tui.demo.data.packages import PACKAGES
from ecr_tui.demo.data.scans import BASIC_SEVERITIES, ScanSpec
from ecr_tui.demo.data.seeds import stable_seed


@dataclass(frozen=True, slots=True)
class Vulnerability:
    """One vulnerable package in an image, as a scanner reports it."""

    cve: str
    severity: str  # one of BASIC_SEVERITIES; enhanced rendering maps UNDEFINED to UNTRIAGED
    package: str
    version: str
    fixed_in: str  # "" when no fix is released yet
    package_manager: str  # OS, JAR, PYTHONPKG, NODEPKG, GOBINARY (Inspector's names)
    file_path: str  # where a language package sits in the image ("" for OS packages)
    cvss_version: str  # "3.1", "2.0" or "" when the finding is not rated
    score: float | None
    vector: str
    description: str
    uri: str  # the scanner's reference: the distribution's tracker or NVD
    published_at: float
    exploit_available: bool


def vulnerabilities(scan: ScanSpec) -> list[Vulnerability]:
    """The findings behind a scan's severity counts, worst first, always the same."""
    profile = scan.profile
    found: list[Vulnerability] = []
    for severity, count in scan.severity_counts:
        canonical = "UNDEFINED" if severity == "UNTRIAGED" else severity
        pool = _pool(profile.family, profile.ecosystem if profile.enhanced else "", canonical,
                     profile.vulnerability_seed, _bucket(count))  # fmt: skip
        found.extend(pool[:count])
    return found


def _bucket(count: int) -> int:
    # Pools are cached by size: round up so images of one repository share one pool.
    size = 32
    while size < count:
        size *= 2
    return size


@lru_cache(maxsize=512)
def _pool(
    family: str, ecosystem: str, severity: str, seed: int, size: int
) -> tuple[Vulnerability, ...]:
    """Vulnerabilities of one severity for one kind of image; known CVEs first."""
    rng = random.Random(seed ^ stable_seed(severity))
    catalog = PACKAGES.get(family, PACKAGES["debian"])
    if ecosystem:
        catalog = catalog + PACKAGES[ecosystem]
    by_name = {name: (name, version, fixed) for name, version, fixed in catalog}
    pool: list[Vulnerability] = []
    for known in KNOWN:
        package = next((by_name[p] for p in _names_for(known, family) if p in by_name), None)
        if known.severity == severity and package is not None:
            pool.append(_known_vulnerability(known, package, family, ecosystem))
    used = set(KNOWN_IDS)
    slot = BASIC_SEVERITIES.index(severity)
    while len(pool) < size:
        year = rng.choice((2016, 2018, 2019, 2020, 2021, 2022, 2022, 2023, 2023, 2024, 2024))
        # Numbers are spread by severity so that pools never share a CVE id.
        cve = f"CVE-{year}-{rng.randint(170, 8_300) * 6 + slot}"
        if cve in used:
            continue
        used.add(cve)
        pool.append(_generated_vulnerability(cve, year, severity, rng.choice(catalog), family,
                                             ecosystem, rng))  # fmt: skip
    return tuple(pool[:size])


def _names_for(known: KnownCve, family: str) -> Iterator[str]:
    for entry in known.packages:
        name, _, only = entry.partition("@")
        if not only or only == family:
            yield name


def _manager(package: str, family: str, ecosystem: str) -> tuple[str, str]:
    if not ecosystem or any(package == name for name, _, _ in PACKAGES.get(family, ())):
        return "OS", ""
    base = package.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    paths = {
        "JAR": f"/app/lib/{base}.jar",
        "PYTHONPKG": f"/usr/local/lib/python3.11/site-packages/{base}",
        "NODEPKG": f"/app/node_modules/{base}/package.json",
        "GOBINARY": "/usr/local/bin/app",
    }
    return ecosystem, paths[ecosystem]


def _reference(cve: str, family: str, manager: str) -> str:
    if manager == "OS" and family == "debian":
        return f"https://security-tracker.debian.org/tracker/{cve}"
    if manager == "OS" and family == "ubuntu":
        return f"https://ubuntu.com/security/{cve}"
    return f"https://nvd.nist.gov/vuln/detail/{cve}"


def _known_vulnerability(
    known: KnownCve, package: tuple[str, str, str], family: str, ecosystem: str
) -> Vulnerability:
    manager, path = _manager(package[0], family, ecosystem)
    year = int(known.cve.split("-")[1])
    return Vulnerability(
        cve=known.cve,
        severity=known.severity,
        package=package[0],
        version=package[1],
        fixed_in=package[2],
        package_manager=manager,
        file_path=path,
        cvss_version="3.1",
        score=known.score,
        vector=known.vector,
        description=known.description,
        uri=_reference(known.cve, family, manager),
        published_at=calendar.timegm((year, 6, 1, 0, 0, 0)),
        exploit_available=known.exploit,
    )


def _generated_vulnerability(
    cve: str,
    year: int,
    severity: str,
    package: tuple[str, str, str],
    family: str,
    ecosystem: str,
    rng: random.Random,
) -> Vulnerability:
    manager, path = _manager(package[0], family, ecosystem)
    version, vector, score = "", "", None
    if severity in CVSS3:
        if year < 2019 and rng.random() < 0.7:
            version, (vector, score) = "2.0", rng.choice(CVSS2[severity])
        else:
            version, (vector, score) = "3.1", rng.choice(CVSS3[severity])
            vector = V3 + vector
    flaw = rng.choice(FLAWS).format(p=package[0], t=rng.choice(THINGS))
    return Vulnerability(
        cve=cve,
        severity=severity,
        package=package[0],
        version=package[1],
        fixed_in=package[2] if rng.random() < 0.6 else "",
        package_manager=manager,
        file_path=path,
        cvss_version=version,
        score=score,
        vector=vector,
        description=flaw,
        uri=_reference(cve, family, manager),
        published_at=calendar.timegm((year, rng.randint(1, 12), rng.randint(1, 28), 0, 0, 0)),
        exploit_available=severity in ("CRITICAL", "HIGH") and rng.random() < 0.1,
    )
