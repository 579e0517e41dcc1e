"""Driving the app from scripts and tests: wait for what the user would wait for."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.pilot import Pilot


async def wait_until(
    pilot: Pilot[object], condition: Callable[[], bool], timeout: float = 15.0
) -> None:
    """Let the app run until `condition()` holds; fail loudly after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"the app did not reach the expected state in {timeout} s")
        await pilot.pause(0.02)
    await pilot.pause()
