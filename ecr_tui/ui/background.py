"""One way for an action to run blocking work: a thread worker, then its result on the UI thread.

A failure in `work` goes to the app's one failure handler (`exit_on_error=False`).
With `asks_next`, `then` opens a dialog: the keys typed meanwhile wait for it, as
they would have typed slowly (see `key_order`), and a failure lets them go.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ecr_tui.ui.app_host import AppHost

T = TypeVar("T")


def run_then(
    app: AppHost,
    work: Callable[[], T],
    then: Callable[[T], None],
    *,
    group: str,
    wait_for_ui: bool,
    exclusive: bool = False,
    asks_next: bool = False,
    description: str = "",
    failed: Callable[[BaseException], None] | None = None,
) -> None:
    """Run `work` in a thread worker, then `then(result)` on the UI thread.

    `wait_for_ui`: the worker waits for `then`, so that an error it raises is the
    worker's, and reported; otherwise `then` is queued like a message. `failed`,
    if given, is told on the UI thread when `work` raises (then reported as usual).
    """
    hold = app.hold_keys() if asks_next else None
    hand_over = app.call_from_thread if wait_for_ui else app.call_later

    def finish(result: T) -> None:
        try:
            then(result)
        finally:
            if hold is not None:
                hold.release()

    def in_thread() -> None:
        try:
            result = work()
        except BaseException as error:
            if hold is not None:
                hand_over(hold.release)
            if failed is not None:
                hand_over(failed, error)
            raise
        hand_over(finish, result)

    app.run_worker(
        in_thread,
        thread=True,
        exclusive=exclusive,
        group=group,
        exit_on_error=False,
        description=description,
    )
