"""The reads a vulnerabilities view has made, kept to answer their scope again: `EarlierReads`.

An image filter turned on and off again (`t`, `t`) asks for the images of a
read already made. A read that finished whole is kept by its images (the
scope's image filters, not its findings filters: those refilter it) and
answers its scope again at once, with no call. Its reports are as old as that
read: the coverage line says when it was, and `r` forgets every read kept.

Only whole reads are kept: a cancelled or failed one shows less than a fresh
read of its scope would. The view is made per context (ui/fleet/actions.py
makes a new one for another context), and so are its reads: another context's
are never shown.
"""

from __future__ import annotations

from collections import OrderedDict

from ecr_tui.core.fleet.scope import Scope
from ecr_tui.ui.fleet.session import FleetSession

# Reads kept besides the one shown: each holds its images' findings (interned), and a
# user toggling a filter goes back and forth between two or three scopes.
MOST_KEPT = 3
# And what their findings cost, together: a read of a whole large registry (500,000
# findings, most of them distinct, some 300 MB) is read again rather than kept beside
# the next one, so that the app stays within its 500 MB. The demo's whole registry
# (590,000 findings, most of them shared by images on one base) costs some 60 MB.
MOST_BYTES_KEPT = 150 * 2**20


class EarlierReads:
    """Whole reads by the images they read, the most recently left last."""

    def __init__(self, most: int = MOST_KEPT, most_bytes: int = MOST_BYTES_KEPT) -> None:
        self.most = most
        self.most_bytes = most_bytes
        self._reads: OrderedDict[Scope, FleetSession] = OrderedDict()

    def keep(self, session: FleetSession) -> bool:
        """Keep `session` if its read finished whole; whether it was kept."""
        progress = session.progress
        if not (progress.finished and session.complete) or progress.failed:
            return False
        if session.held_bytes() > self.most_bytes:
            return False
        images = session.scope.images_only()
        self._reads.pop(images, None)
        self._reads[images] = session
        while len(self._reads) > self.most or self._bytes() > self.most_bytes:
            self._reads.popitem(last=False)
        return True

    def _bytes(self) -> int:
        return sum(session.held_bytes() for session in self._reads.values())

    def take(self, scope: Scope) -> FleetSession | None:
        """The read kept of `scope`'s images, taken out (it is shown now), or None."""
        return self._reads.pop(scope.images_only(), None)

    def forget(self) -> None:
        """Keep none (`r`: every report is read anew)."""
        self._reads.clear()

    def __len__(self) -> int:
        return len(self._reads)
