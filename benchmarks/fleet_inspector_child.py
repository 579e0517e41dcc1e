"""One fleet question answered in this process, for benchmarks/harness/fleet_inspector.py.

    python benchmarks/fleet_inspector_child.py inspector
    python benchmarks/fleet_inspector_child.py scan-findings REPOSITORY...

`inspector`: every finding Amazon Inspector holds of the registry's images (the
repositories it scans). `scan-findings`: the same question by the fan-out of
DescribeImageScanFindings over those repositories. The AWS profile (AWS_PROFILE,
AWS_CONFIG_FILE) names the endpoint for every service. Prints one JSON line.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time

from ecr_tui.core.ecr import ConnectionSettings, EcrService
from ecr_tui.core.fleet.fanout import FleetScan
from ecr_tui.core.fleet.scope import Scope
from ecr_tui.core.fleet.source import SourcedScan


class _These(FleetScan):
    """The fan-out over these repositories only."""

    names: list[str] = []

    def _repository_names(self) -> list[str]:
        return list(self.names)


def main(argv: list[str]) -> int:
    source = argv[0]
    service = EcrService(ConnectionSettings(), read_only=True)
    started = time.monotonic()
    scanned: list[str] = []
    if source == "inspector":
        scan = SourcedScan(service, Scope(), source="inspector")
        result = scan.run()
        coverage: object = result.coverage
        scanned = sorted(getattr(coverage, "scanned_repositories", ()))
    else:
        _These.names = argv[1:]
        result = _These(service, Scope(), concurrency=16).run()
    wall = time.monotonic() - started
    findings = sorted(
        (a.image.repository, a.image.digest, a.finding.name, str(a.finding.packages))
        for a in result.findings.all_findings()
    )
    print(
        json.dumps(
            {
                "wall_s": round(wall, 2),
                "calls": service.api_calls,
                "findings": len(findings),
                "images": len({f[:2] for f in findings}),
                "answer_sha256": hashlib.sha256(json.dumps(findings).encode()).hexdigest()[:16],
                "coverage": result.coverage.line(),
                "problems": result.problems[:3],
                "scanned_repositories": scanned,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
