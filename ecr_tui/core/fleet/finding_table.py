"""One object for each distinct finding of a fleet read: `FindingTable`, `fleet_key`.

Images built on one base share most of their findings; Amazon Inspector gives
each instance its own ARN and times, which no fleet view or export shows. A
fleet read of 500,000 findings keeps one object per vulnerability, severity,
score, fix and packages instead, and the reader child sends one per key.
"""

from __future__ import annotations

from dataclasses import replace

from ecr_tui.core.models import Finding


def fleet_key(finding: Finding) -> tuple[object, ...]:
    """What the fleet's views and exports tell of a finding: two findings equal in it (one
    vulnerability in one package, found in two images built on one base) are kept as one,
    though each has its own Inspector ARN and times."""
    return (finding.name, finding.severity, finding.score, finding.fix, finding.packages)


def without_instance(finding: Finding) -> Finding:
    """`finding` without what only its own instance has (Inspector's ARN, when it was seen
    and updated): the finding kept for the `fleet_key` of several images', whose
    views never show those; each image's findings pane reads its own."""
    if not (finding.finding_arns or finding.first_observed or finding.last_observed):
        return finding
    return replace(
        finding, finding_arns=(), first_observed=None, last_observed=None, updated_at=None
    )


class FindingTable:
    """One object for each distinct finding (by `fleet_key`), without its instance's fields."""

    def __init__(self, *, distinct: bool = False) -> None:
        # `distinct`: the findings come one object a key already (the reader child sends
        # them so), and a table of 400,000 keys would cost 100 MB for nothing.
        self.distinct = distinct
        self._by_key: dict[tuple[object, ...], Finding] = {}
        self._by_id: dict[int, Finding] = {}

    def __len__(self) -> int:
        """The distinct findings kept (none counted when `distinct`: none are kept)."""
        return len(self._by_key)

    def one(self, finding: Finding) -> Finding:
        """The finding kept for `finding`'s key (dict operations: atomic, no lock needed)."""
        if self.distinct:
            return finding
        # Findings already kept come again (the reader child sends each distinct one
        # once, and refiltering passes them on): known by identity, no key to hash.
        if self._by_id.get(id(finding)) is finding:
            return finding
        key = fleet_key(finding)
        kept = self._by_key.get(key)
        if kept is None:
            kept = self._by_key.setdefault(key, without_instance(finding))
        self._by_id[id(kept)] = kept
        return kept
