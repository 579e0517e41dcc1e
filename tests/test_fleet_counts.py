"""The fleet's counts against a plain model of them: images and repositories per
vulnerability, images and findings per package, the images each vulnerability is in.

`FleetFindings` counts an image once per vulnerability and package without keeping
a set of image keys (an image's findings are folded in one go), keeps one finding
per fleet key, and drops Inspector's per-instance fields: these properties say the
counts are those of sets all the same, refiltered too, whatever the images hold.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from ecr_tui.core.fleet.groups import FleetFindings
from ecr_tui.core.fleet.scope import Scope
from ecr_tui.core.models import Finding, FixAvailable, Image, Severity, VulnerablePackage

_CVES = [f"CVE-2024-{n:04d}" for n in range(1, 6)]
_PACKAGES = [VulnerablePackage(name, "1.0") for name in ("openssl", "curl", "zlib")]
_SEEN = datetime(2026, 11, 1, tzinfo=UTC)


def _finding(cve: int, packages: tuple[int, ...], severity: int, arn: int) -> Finding:
    return Finding(
        name=_CVES[cve],
        severity=(Severity.LOW, Severity.HIGH, Severity.CRITICAL)[severity],
        packages=tuple(_PACKAGES[p] for p in packages),
        fix=FixAvailable.YES,
        finding_arns=(f"arn:aws:inspector2:us-east-1:111122223333:finding/{arn}",),
        first_observed=_SEEN,
    )


_FINDINGS = st.lists(
    st.tuples(
        st.integers(0, len(_CVES) - 1),
        st.lists(st.integers(0, len(_PACKAGES) - 1), max_size=2, unique=True).map(tuple),
        st.integers(0, 2),
        st.integers(0, 10**6),
    ),
    max_size=6,
)
# Images: (repository, digest number, findings); the same digest twice is one image.
_IMAGES = st.lists(st.tuples(st.sampled_from(["web", "api", "jobs"]), st.integers(0, 5), _FINDINGS))


@settings(max_examples=150, deadline=None)
@given(_IMAGES, st.booleans())
def test_counts_are_those_of_sets_of_images(
    images: list[tuple[str, int, list[tuple[int, tuple[int, ...], int, int]]]], refilter: bool
) -> None:
    fleet = FleetFindings(Scope())
    added: dict[tuple[str, str], list[Finding]] = {}
    for repository, number, findings in images:
        image = Image(repository, f"sha256:{number:064x}", ("v1",), 1.0e9 + number, 1, "COMPLETE")
        built = [_finding(*f) for f in findings]
        fleet.add_findings(image, built)
        added.setdefault((repository, image.digest), built)
    if refilter:
        fleet = fleet.refiltered(Scope(min_severity=Severity.HIGH))
        added = {
            key: [f for f in found if f.severity >= Severity.HIGH] for key, found in added.items()
        }

    images_of: dict[str, set[tuple[str, str]]] = defaultdict(set)
    package_images: dict[str, set[tuple[str, str]]] = defaultdict(set)
    package_findings: dict[str, int] = defaultdict(int)
    for key, found in added.items():
        for finding in found:
            images_of[finding.name].add(key)
            for package in finding.packages or (VulnerablePackage("(no package)"),):
                package_images[package.name].add(key)
                package_findings[package.name] += 1

    groups = {g.cve: g for g in fleet.by_vulnerability()}
    assert {cve: g.images for cve, g in groups.items()} == {
        cve: len(keys) for cve, keys in images_of.items()
    }
    assert {cve: g.repositories for cve, g in groups.items()} == {
        cve: len({repository for repository, _ in keys}) for cve, keys in images_of.items()
    }
    packages = {g.package: g for g in fleet.by_package()}
    assert {name: g.images for name, g in packages.items()} == {
        name: len(keys) for name, keys in package_images.items()
    }
    assert {name: g.findings for name, g in packages.items()} == dict(package_findings)
    for cve, keys in images_of.items():
        affected = fleet.affected_images(cve)
        assert {a.key for a in affected} == keys
        # One finding kept per fleet key: the instance's ARN and times are not its own.
        assert all(
            not a.finding.finding_arns and a.finding.first_observed is None for a in affected
        )
        assert len(affected) == sum(1 for key in keys for f in added[key] if f.name == cve)
