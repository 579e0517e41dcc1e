"""One botocore data loader for the whole process.

A botocore session reads each service's JSON model (ECR's is large) through its
loader, which keeps what it read. Every new session (a context switch makes one)
used to read them again: about 0.1 s a client. Sessions made here share one
loader, the reader child's warmed one when it has it (see remote_reader).
"""

from __future__ import annotations

import threading
from typing import Any

_loaders: list[Any] = []
_lock = threading.Lock()


def share_loader(loader: Any) -> None:
    """Use `loader` (one that has read the ECR and STS models already) for every
    session made without a warm one from now on."""
    with _lock:
        if not _loaders:
            _loaders.append(loader)


def shared_loader() -> Any:
    """The process's loader, made on first use."""
    with _lock:
        if not _loaders:
            import botocore.loaders

            _loaders.append(botocore.loaders.create_loader())
        return _loaders[0]
