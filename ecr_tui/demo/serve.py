"""The demo endpoint's own process: `python -m ecr_tui.demo.serve --port 0`.

It starts a `LocalEcr`, seeds it with the demo dataset (in-process, straight
into the backend), puts a real registry behind it when Debian's
`docker-registry` is installed (so Docker can log in, push and pull), and then
prints exactly one line to stdout:

    READY <url> registry=<host:port>
    READY <url> registry=none:<why Docker actions are unavailable>

It serves until its stdin closes (the parent went away, even if it was
killed) or it gets SIGTERM, and stops the registry on the way out. Anything
else it has to say goes to stderr, which the launcher sends to a log.
"""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
import threading
import time
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ecr_tui.demo.endpoint import LocalEcr
    from ecr_tui.demo.registry.demo_registry import DemoRegistry


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative")
    return value


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ecr_tui.demo.serve", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--repositories", type=_count, default=36)
    parser.add_argument("--big-images", type=_count, default=5000, help="big repository's images")
    parser.add_argument("--seed", type=int, default=7, help="the dataset's random seed")
    parser.add_argument("--account-id", default="123456789012")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--scan-seconds", type=float, default=3.0, help="how long a scan runs")
    parser.add_argument(
        "--no-registry",
        dest="registry",
        action="store_false",
        help="no registry behind the endpoint (browsing only, faster to start)",
    )
    return parser.parse_args(argv)


def _attach_registry(endpoint: LocalEcr, wanted: bool) -> tuple[DemoRegistry | None, str]:
    """The registry behind the endpoint, if one can run, and the READY line's field."""
    from ecr_tui.demo.registry.demo_registry import attach_demo_registry
    from ecr_tui.demo.registry.server import RegistryError, registry_available

    problem = registry_available() if wanted else "the demo runs without a registry"
    if problem is None:
        try:
            registry = attach_demo_registry(endpoint)
        except RegistryError as error:
            problem = str(error)
        else:
            return registry, f"registry={registry.host}"
    # The reason is the rest of the line: it must stay on it.
    return None, "registry=none:" + " ".join(problem.split())


def _stop_when_stdin_closes(stop: threading.Event) -> None:
    # The parent holds the other end: EOF means it closed it, or it died. The raw
    # descriptor, not sys.stdin: a daemon thread blocked inside a buffered reader
    # makes the interpreter abort at exit.
    while os.read(0, 4096):
        pass
    stop.set()


def main(argv: list[str] | None = None) -> int:
    """Serve until told to stop; the exit code."""
    args = _arguments(argv)
    ready_stream = sys.stdout
    # Libraries may print (moto does): only the READY line may reach the parent.
    sys.stdout = sys.stderr
    started = time.perf_counter()

    from ecr_tui.demo.data.dataset import build_dataset
    from ecr_tui.demo.endpoint import LocalEcr

    endpoint = LocalEcr(
        host=args.host,
        port=args.port,
        account_id=args.account_id,
        region=args.region,
        scan_seconds=args.scan_seconds,
    )
    url = endpoint.start()
    seeding = time.perf_counter()
    dataset = build_dataset(args.repositories, args.big_images, args.seed)
    endpoint.seed(dataset)
    seeded = time.perf_counter()
    registry, registry_field = _attach_registry(endpoint, args.registry)
    # The seeded registry lives as long as the process: keeping it out of the
    # collector's sight keeps later collections, and so request latency, small.
    gc.freeze()

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    threading.Thread(target=_stop_when_stdin_closes, args=(stop,), daemon=True).start()
    print(
        f"seeded {len(dataset.repositories)} repositories and {dataset.image_count} images "
        f"in {seeded - seeding:.2f} s, {seeded - started:.2f} s after main() began",
        file=sys.stderr,
        flush=True,
    )
    print(f"READY {url} {registry_field}", file=ready_stream, flush=True)
    try:
        # A timed wait lets the SIGTERM handler run promptly in this (the main) thread.
        while not stop.wait(0.5):
            pass
    finally:
        if registry is not None:
            registry.close()
        endpoint.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
