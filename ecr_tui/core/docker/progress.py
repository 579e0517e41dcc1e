"""What a push or pull reports as it goes, and how it ended.

`ProgressTracker` folds the daemon's progress messages into frozen records
(`TransferProgress` per message, `TransferResult` at the end) that the UI draws
without ever seeing a docker-py object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Statuses after which a layer has no more bytes to move.
_LAYER_DONE_STATUSES = (
    "pushed",
    "layer already exists",
    "mounted from",
    "already exists",
    "download complete",
    "pull complete",
)


def _is_done(status: str) -> bool:
    return status.lower().startswith(_LAYER_DONE_STATUSES)


@dataclass(frozen=True, slots=True)
class LayerProgress:
    """Where one layer of a push or pull stands, in the daemon's own words."""

    layer_id: str
    status: str  # "Pushing", "Downloading", "Extracting", "Pull complete"...
    current: int  # bytes of the current step (download, upload or extraction)
    total: int | None  # None while the daemon has not said

    @property
    def done(self) -> bool:
        """True once the layer needs nothing more (moved, already there, or extracted)."""
        return _is_done(self.status)

    @property
    def fraction(self) -> float | None:
        """How far the current step is, from 0 to 1, when the total is known."""
        if not self.total:
            return None
        return min(1.0, self.current / self.total)


@dataclass(frozen=True, slots=True)
class TransferProgress:
    """A snapshot of a whole push or pull, sent after each daemon message."""

    action: str  # "push" or "pull"
    reference: str
    layers: tuple[LayerProgress, ...]
    bytes_done: int  # bytes moved over the network, over the layers whose size is known
    bytes_total: int
    message: str = ""  # the latest line that is not about one layer
    finished: bool = False


@dataclass(frozen=True, slots=True)
class TransferResult:
    """How a push or pull ended."""

    action: str
    reference: str
    digest: str | None  # the manifest digest the registry reported
    bytes_total: int
    layer_count: int
    cancelled: bool = False


# What a push or pull takes: a callback for each snapshot, and a question asked
# between two daemon messages (True stops the transfer).
ProgressCallback = Callable[[TransferProgress], None]
CancelCheck = Callable[[], bool]


class ProgressTracker:
    """Folds the daemon's messages into per-layer state and byte totals."""

    def __init__(self, action: str, reference: str) -> None:
        self.action = action
        self.reference = reference
        self.layers: dict[str, LayerProgress] = {}
        # Network bytes per layer, apart from `layers` because extraction restarts the counts.
        self.sizes: dict[str, int] = {}
        self.moved: dict[str, int] = {}
        self.message = ""
        self.digest: str | None = None

    def update(self, event: dict[str, Any]) -> TransferProgress:
        status = str(event.get("status") or "")
        layer_id = event.get("id")
        aux = event.get("aux")
        if isinstance(aux, dict) and aux.get("Digest"):
            self.digest = str(aux["Digest"])
        if status.startswith("Digest: "):
            self.digest = status.removeprefix("Digest: ").strip()
        detail = event.get("progressDetail") or {}
        # Pull names the image itself in "Pulling from repo": that id is not a layer.
        if layer_id and not status.startswith("Pulling from"):
            self._update_layer(str(layer_id), status, detail)
        elif status:
            self.message = status
        return self.snapshot(finished=False)

    def _update_layer(self, layer_id: str, status: str, detail: dict[str, Any]) -> None:
        current = int(detail.get("current") or 0)
        total = int(detail["total"]) if detail.get("total") else None
        if status.lower() in ("pushing", "downloading") and total:
            self.sizes[layer_id] = total
            # Push counts compressed bytes against the uncompressed size: cap it.
            self.moved[layer_id] = min(max(current, self.moved.get(layer_id, 0)), total)
        elif _is_done(status) and layer_id in self.sizes:
            # The daemon sends no byte counts with "Pushed" or "Pull complete": show it full.
            current = total = self.moved[layer_id] = self.sizes[layer_id]
        self.layers[layer_id] = LayerProgress(layer_id, status, current, total)

    def snapshot(self, finished: bool) -> TransferProgress:
        return TransferProgress(
            self.action,
            self.reference,
            tuple(self.layers.values()),
            sum(self.moved.values()),
            sum(self.sizes.values()),
            self.message,
            finished,
        )

    def finish(self) -> TransferProgress:
        # A finished transfer moved every byte, whatever the last messages counted.
        self.moved = dict(self.sizes)
        return self.snapshot(finished=True)

    def result(self, cancelled: bool) -> TransferResult:
        return TransferResult(
            self.action,
            self.reference,
            self.digest,
            sum(self.sizes.values()),
            len(self.layers),
            cancelled,
        )
