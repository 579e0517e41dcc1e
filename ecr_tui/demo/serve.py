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
from typing import TYPE_CHECKING, TextIO

# A table of names, cheap to import before the registry's thread starts.
from ecr_tui.demo.data.workloads import DEMO_REPOSITORIES

if TYPE_CHECKING:
    from ecr_tui.demo.endpoint_server import EndpointServer
    from ecr_tui.demo.registry.demo_registry import AttachableEcr, DemoRegistry
    from ecr_tui.demo.registry.server import RegistryServer


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative")
    return value


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ecr_tui.demo.serve", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--repositories", type=_count, default=DEMO_REPOSITORIES)
    parser.add_argument("--big-images", type=_count, default=5000, help="big repository's images")
    parser.add_argument("--seed", type=int, default=7, help="the dataset's random seed")
    parser.add_argument("--account-id", default="123456789012")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--scan-seconds", type=float, default=3.0, help="how long a scan runs")
    parser.add_argument(
        "--restore-seconds",
        type=float,
        default=30.0,
        help="how long a restore from the archive takes (ECR: up to 20 minutes)",
    )
    parser.add_argument(
        "--ready-before-images",
        action="store_true",
        help="say READY once the repositories are seeded; other requests wait for the images",
    )
    parser.add_argument(
        "--extra-contexts",
        action="store_true",
        help="also serve a second account and two more regions (seeded after the rest)",
    )
    parser.add_argument(
        "--enhanced-scanning",
        choices=("rules", "all"),
        default="rules",
        help="which repositories Amazon Inspector scans: the demo's rules name a few; "
        "all: one registry rule '*' (every repository, continuously)",
    )
    parser.add_argument(
        "--no-registry",
        dest="registry",
        action="store_false",
        help="no registry behind the endpoint (browsing only, faster to start)",
    )
    return parser.parse_args(argv)


class _EarlyRegistry:
    """The registry started on a thread, so that it boots while moto is imported."""

    def __init__(self, wanted: bool) -> None:
        from ecr_tui.demo.registry.server import registry_available

        self.server: RegistryServer | None = None
        self.problem = registry_available() if wanted else "the demo runs without a registry"
        self._thread: threading.Thread | None = None
        if self.problem is None:
            self._thread = threading.Thread(target=self._start, name="registry", daemon=True)
            self._thread.start()

    def _start(self) -> None:
        from ecr_tui.demo.registry.demo_registry import start_registry_server
        from ecr_tui.demo.registry.server import RegistryError

        try:
            self.server = start_registry_server()
        except RegistryError as error:
            self.problem = str(error)

    def attach(self, endpoint: AttachableEcr) -> tuple[DemoRegistry | None, str]:
        """The registry behind the endpoint, if one runs, and the READY line's field."""
        from ecr_tui.demo.registry.demo_registry import attach_demo_registry
        from ecr_tui.demo.registry.server import RegistryError

        if self._thread is not None:
            self._thread.join()
        if self.server is not None:
            try:
                registry = attach_demo_registry(endpoint, server=self.server)
            except RegistryError as error:
                self.server.close()
                self.problem = str(error)
            else:
                return registry, f"registry={registry.host}"
        # The reason is the rest of the line: it must stay on it.
        return None, "registry=none:" + " ".join(str(self.problem).split())


class _Announcement:
    """READY, said from a thread as soon as the registry is attached to the front."""

    def __init__(self, front: EndpointServer, registry: _EarlyRegistry, stream: TextIO) -> None:
        self._front, self._registry, self._stream = front, registry, stream
        self._attached: DemoRegistry | None = None
        self._thread = threading.Thread(target=self._announce, name="ready", daemon=True)
        self._thread.start()

    def _announce(self) -> None:
        self._attached, registry_field = self._registry.attach(self._front)
        print(f"READY {self._front.url} {registry_field}", file=self._stream, flush=True)

    def done(self) -> DemoRegistry | None:
        """Wait until READY was said; the registry behind the endpoint, if any."""
        self._thread.join()
        return self._attached


def _import_moto_gently() -> None:
    """Import moto (with the endpoint) on a thread of lower priority, and wait for it.

    Its half second of CPU falls while the app draws its first frames, which
    need the CPU more (the launcher keeps us in the app's session, so the nice
    counts against the app's processes). On Linux a nice is a thread's own: the
    front's threads answer at full priority, and so does the seeding after it.
    """

    def load() -> None:
        os.nice(10)
        import ecr_tui.demo.endpoint  # noqa: F401

    loader = threading.Thread(target=load, name="import-moto")
    loader.start()
    loader.join()  # a failure is raised again by the import that follows


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
    # Docker's registry boots on its own thread while moto loads (half a second).
    early_registry = _EarlyRegistry(args.registry)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    threading.Thread(target=_stop_when_stdin_closes, args=(stop,), daemon=True).start()

    # Imported once the registry's thread runs: it boots meanwhile.
    from ecr_tui.demo.data.dataset import build_dataset
    from ecr_tui.demo.early_listing import EarlyListing
    from ecr_tui.demo.endpoint_server import EndpointServer

    seeding = time.perf_counter()
    dataset = build_dataset(
        args.repositories,
        args.big_images,
        args.seed,
        enhanced_all=args.enhanced_scanning == "all",
    )
    announcing: _Announcement | None = None
    front: EndpointServer | None = None
    if args.ready_before_images and EarlyListing.possible(args.region):
        # Listening, with the repositories listed, before moto is even imported:
        # READY goes out (from a thread, once the registry is attached) while it loads.
        listing = EarlyListing(dataset.repositories, args.account_id, args.region)
        front = EndpointServer(args.host, args.port, listing)
        announcing = _Announcement(front, early_registry, ready_stream)
        _import_moto_gently()

    from ecr_tui.demo.contexts import extra_contexts, inspector_members, replication_configuration
    from ecr_tui.demo.endpoint import LocalEcr
    from ecr_tui.demo.moto_patches.account_alias import give_alias, refuse_alias_reads

    endpoint = LocalEcr(
        host=args.host,
        port=args.port,
        account_id=args.account_id,
        region=args.region,
        scan_seconds=args.scan_seconds,
        restore_seconds=args.restore_seconds,
    )
    url = endpoint.start(front)
    extras = extra_contexts(args.account_id) if args.extra_contexts else ()
    if extras:  # (before the first request: the status line asks for it at once)
        give_alias(args.account_id)
        for other in {extra.account for extra in extras} - {args.account_id}:
            refuse_alias_reads(other)
    endpoint.seed_repositories(dataset)
    # Requests for them wait from the start, not only once their seeding begins.
    endpoint.expect_contexts([(extra.account, extra.region) for extra in extras])
    images = 0
    if announcing is not None:
        endpoint.take_over()
        registry = announcing.done()
    else:
        if not args.ready_before_images:
            images = endpoint.seed_images(dataset)
        registry, registry_field = early_registry.attach(endpoint)
        print(f"READY {url} {registry_field}", file=ready_stream, flush=True)
    if args.ready_before_images:
        images = endpoint.seed_images(dataset, after_first_listing=1.0)
    # After the default registry: the first repository row never waits for them.
    endpoint.seed_contexts([(e.account, e.region, e.dataset(dataset)) for e in extras])
    if extras:
        endpoint.configure_replication(replication_configuration(args.account_id))
        endpoint.administer_inspector(inspector_members(args.account_id))
    seeded = time.perf_counter()
    # The seeded registry lives as long as the process: keeping it out of the
    # collector's sight keeps later collections, and so request latency, small.
    gc.freeze()
    print(
        f"seeded {len(dataset.repositories)} repositories and {images} images "
        f"in {seeded - seeding:.2f} s, {seeded - started:.2f} s after main() began",
        file=sys.stderr,
        flush=True,
    )
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
