"""How much `pip install` puts on disk: ecr-tui alone, and with its [demo] extra.

Measured on the environment the benchmark runs in: the files that each
installed distribution of the dependency closure records, added up. The demo's
extra is moto's server stack, which only `ecr-tui --demo` needs.
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement


def _name(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def _closure(root: str, extras: frozenset[str]) -> set[str]:
    """The distributions `root[extras]` pulls in, itself included."""
    seen: set[str] = set()
    pending: list[tuple[str, frozenset[str]]] = [(root, extras)]
    while pending:
        name, wanted = pending.pop()
        key = f"{_name(name)}[{','.join(sorted(wanted))}]"
        if key in seen:
            continue
        seen.add(key)
        try:
            requirements = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for line in requirements:
            requirement = Requirement(line)
            marker = requirement.marker
            if marker is not None and not any(
                marker.evaluate({"extra": extra}) for extra in (wanted or {""})
            ):
                continue
            pending.append((requirement.name, frozenset(requirement.extras)))
    return {key.split("[", 1)[0] for key in seen}


def _size(distribution: str) -> int:
    try:
        files = metadata.distribution(distribution).files or []
    except metadata.PackageNotFoundError:
        return 0
    total = 0
    for file in files:
        path = Path(file.locate())
        if path.is_file():
            total += path.stat().st_size
    return total


def install_sizes() -> dict[str, float]:
    """Megabytes on disk for `pip install ecr-tui` and `pip install 'ecr-tui[demo]'`."""
    plain = _closure("ecr-tui", frozenset())
    demo = _closure("ecr-tui", frozenset({"demo"}))
    return {
        "plain_mb": round(sum(_size(d) for d in plain) / 1e6, 1),
        "demo_mb": round(sum(_size(d) for d in demo) / 1e6, 1),
        "plain_distributions": len(plain),
        "demo_distributions": len(demo),
    }
