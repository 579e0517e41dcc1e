"""One fleet question answered in this process, for benchmarks/harness/fleet_inspector.py.

    python benchmarks/fleet_inspector_child.py inspector NEWEST CONCURRENCY
    python benchmarks/fleet_inspector_child.py scan-findings NEWEST CONCURRENCY

The question is the fan-out benchmark's: every finding of the newest N images of
each repository. `inspector`: as the app asks it (`SourcedScan`, the source
chosen by the registry's scanning: Amazon Inspector on an enhanced registry).
`scan-findings`: the fan-out of DescribeImageScanFindings. botocore's
AWS_ENDPOINT_URL_<SERVICE> variables name the endpoint of each service. Prints one
JSON line: wall time, calls, the answer's digest (and each image's), the coverage line.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time

from ecr_tui.core.ecr import ConnectionSettings, EcrService
from ecr_tui.core.fleet.scope import Scope
from ecr_tui.core.fleet.source import SourcedScan


def main(argv: list[str]) -> int:
    source, newest, concurrency = argv[0], int(argv[1]), int(argv[2])
    service = EcrService(ConnectionSettings(), read_only=True)
    started = time.monotonic()
    scan = SourcedScan(
        service,
        Scope(newest_per_repository=newest),
        source="auto" if source == "inspector" else "scan-findings",
        concurrency=concurrency,
    )
    result = scan.run()
    wall = time.monotonic() - started
    # The answer's digest, in the order of neither source: a sum of each finding's own
    # digest. Summed as they come, so that the check adds no list of 100,000 to the
    # peak memory measured.
    # Each image's own too: a demo scan that finishes between two reads changes one
    # image's answer, and the others' must still be the same.
    total, count, by_image = 0, 0, {}
    for a in result.findings.all_findings():
        one = repr((a.image.repository, a.image.digest, a.finding.name, a.finding.packages))
        digest = int.from_bytes(hashlib.sha256(one.encode()).digest())
        total = (total + digest) % 2**256
        key = f"{a.image.repository}@{a.image.digest}"
        by_image[key] = (by_image.get(key, 0) + digest) % 2**256
        count += 1
    coverage = result.coverage
    print(
        json.dumps(
            {
                "answered_by": scan.answered_by(),
                "wall_s": round(wall, 2),
                "calls": service.api_calls,
                "findings": count,
                "images_with_findings": len(by_image),
                "images_in_scope": coverage.in_scope,
                "images_scanned": coverage.with_findings,
                "answer_sha256": f"{total:064x}"[:16],
                "coverage": coverage.line(),
                "problems": result.problems[:3],
                "by_image": {key: f"{value:064x}"[:16] for key, value in by_image.items()},
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
