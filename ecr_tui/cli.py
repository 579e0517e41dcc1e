"""Command line entry point: `ecr-tui [--demo] [--profile P] [--region R] [--endpoint-url U]`.

`ecr-tui export findings ...` exports findings without the app (see export_cli).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
import termios
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from ecr_tui import __version__
from ecr_tui.demo_check import demo_missing_message

if TYPE_CHECKING:
    from ecr_tui.core.ecr import ConnectionSettings
    from ecr_tui.core.remote_reader import RemoteReader
    from ecr_tui.demo.launcher import DemoLaunch


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="ecr-tui",
        description="A terminal explorer for AWS ECR private registries.",
        epilog="Findings for scripts and CI: ecr-tui export findings --help",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="browse an embedded local ECR seeded with realistic data (no AWS account needed)",
    )
    parser.add_argument("--profile", help="AWS profile from ~/.aws/config (default: AWS_PROFILE)")
    parser.add_argument("--region", help="AWS region (default: the profile's or AWS_REGION)")
    parser.add_argument("--endpoint-url", help="ECR endpoint URL, for a local or private endpoint")
    parser.add_argument(
        "--sts-endpoint-url",
        help="STS endpoint URL (default: AWS's; never the ECR endpoint, which does not serve STS)",
    )
    parser.add_argument(
        "--read-only",
        action="store_true",
        help="refuse every action that changes ECR (also: read_only in the config file)",
    )
    parser.add_argument("--version", action="version", version=f"ecr-tui {__version__}")
    args = parser.parse_args(argv)
    if args.demo and (args.profile or args.endpoint_url or args.sts_endpoint_url):
        parser.error(
            "--demo runs its own local endpoint: drop --profile, --endpoint-url "
            "and --sts-endpoint-url"
        )
    return args


def draw_start_screen(where: str) -> Callable[[], None]:
    """Draw a first frame now, before Textual loads; return what takes it away again.

    Importing Textual and laying out the first screen takes about half a second
    here: without this the terminal shows nothing meanwhile, which over SSH
    looks like a hang. The frame is the status line the app then draws over, in
    the alternate screen the app uses, so nothing is left behind when it exits.
    """
    out = sys.stdout
    if not out.isatty() or os.environ.get("TERM", "dumb") == "dumb":
        return lambda: None
    out.write(f"\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J\x1b[1m ecr-tui\x1b[0m  starting · {where}")
    out.flush()

    def erase() -> None:
        out.write("\x1b[?25h\x1b[?1049l")
        out.flush()

    return erase


@contextlib.contextmanager
def keys_kept_for_the_app() -> Iterator[None]:
    """Until the app takes the terminal, keys typed are kept as the app will read them.

    In the terminal's cooked mode a key typed while Python and Textual load is
    echoed over the start screen, and the Enter's CR becomes an LF (ICRNL),
    which the app then reads as ctrl+j: `:region eu-west-1` Enter typed ahead
    stayed in the command bar unrun. With echo, line editing and ICRNL off, the
    bytes wait unchanged for the app. The terminal gets back the attributes it
    had, on every way out: Textual restores the ones it found, which are ours.
    """
    if not sys.stdin.isatty():
        yield
        return
    fd = sys.stdin.fileno()
    try:
        original = termios.tcgetattr(fd)
    except termios.error:  # a terminal that has no attributes to change
        yield
        return
    kept = termios.tcgetattr(fd)
    kept[0] &= ~termios.ICRNL  # iflag: CR stays CR (Enter, not ctrl+j)
    kept[3] &= ~(termios.ECHO | termios.ICANON)  # lflag: no echo, no line editing
    kept[6][termios.VMIN], kept[6][termios.VTIME] = 1, 0
    # TCSANOW, not TCSAFLUSH: what was typed already must stay to be read.
    termios.tcsetattr(fd, termios.TCSANOW, kept)
    try:
        yield
    finally:
        with contextlib.suppress(termios.error):  # (the terminal may have gone)
            termios.tcsetattr(fd, termios.TCSADRAIN, original)


def _read_ahead(reader: RemoteReader, settings: ConnectionSettings) -> None:
    """Ask for what the first screen shows (the repositories, who we are) at once."""
    reader.connect(settings)
    reader.prefetch("repositories")
    reader.prefetch("account")


def _read_ahead_at_demo(
    reader: RemoteReader, settings: ConnectionSettings, launch: DemoLaunch
) -> None:
    """`_read_ahead` as soon as the demo's endpoint is ready (the app connects the
    same way; the reader takes the same settings once)."""
    from ecr_tui.core.remote_reader import ReaderStopped

    try:
        endpoint = launch.wait_ready()
    except Exception:  # the app's own wait says what went wrong
        return
    with contextlib.suppress(ReaderStopped):
        _read_ahead(reader, settings.at_demo_endpoint(endpoint.url))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the app until the user quits (or `ecr-tui export ...` without the app)."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["export"]:
        from ecr_tui.export_cli import run_export

        return run_export(arguments[1:])
    with keys_kept_for_the_app():
        return _run_app(arguments)


def _run_app(argv: Sequence[str]) -> int:
    """The app (after --help, --version and bad arguments, which end here)."""
    args = parse_args(argv)
    if args.demo and (missing := demo_missing_message()):
        print(missing, file=sys.stderr)
        return 2
    demo_launch: DemoLaunch | None = None
    if args.demo:
        # First of all: the endpoint's process is the slowest to start (moto loads
        # for most of a second), and the first repository row waits for it.
        from ecr_tui.demo.launcher import spawn_demo_endpoint

        demo_launch = spawn_demo_endpoint(extra_contexts=True)
        # The demo's profiles, and only them, for this process and the reader it
        # starts: botocore reads these files whenever a session is made.
        os.environ["AWS_CONFIG_FILE"] = str(demo_launch.aws_config_path)
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = str(demo_launch.aws_credentials_path)
        os.environ.pop("AWS_PROFILE", None)
    from ecr_tui.core.remote_reader import RemoteReader

    # Started before the settings are read and Textual is even imported, on the
    # other core: the reader process loads boto3 (the first repository row waits
    # for it) and asks for the repositories and the account while this one draws
    # the first frame; the demo endpoint seeds meanwhile.
    reader = RemoteReader()
    from ecr_tui.config import ConfigError, load_settings

    try:
        user = load_settings("dev" if args.demo else args.profile, demo=args.demo)
    except ConfigError as error:
        print(f"ecr-tui: {error}", file=sys.stderr)
        reader.close()
        if demo_launch is not None:
            demo_launch.close()
        return 2
    from ecr_tui.core.ecr import ConnectionSettings

    settings = ConnectionSettings(
        profile=args.profile,
        region=args.region,
        endpoint_url=args.endpoint_url,
        sts_endpoint_url=args.sts_endpoint_url,
    )
    if args.demo:
        from ecr_tui.demo.contexts import demo_settings

        # The demo's AWS config names its profiles (see demo.contexts): `dev` first.
        settings = demo_settings(region=args.region)
    erase_start_screen = draw_start_screen(
        "the demo registry" if args.demo else settings.endpoint_label
    )
    if demo_launch is None:
        _read_ahead(reader, settings)
    else:
        # Not from the app's connecting worker, which starts once Textual has
        # loaded and mounted: the endpoint may be ready before that.
        threading.Thread(
            target=_read_ahead_at_demo,
            args=(reader, settings, demo_launch),
            name="demo-ready",
            daemon=True,
        ).start()
    # Textual repaints on a 60 Hz grid, so a key waited 8 ms on average (up to 17)
    # for its frame. Repaints happen only when something changed: a finer grid
    # costs nothing at rest.
    os.environ.setdefault("TEXTUAL_FPS", "240")
    try:
        # Imported here so that --help and --version answer without loading Textual.
        from ecr_tui.state import StateStore, state_path
        from ecr_tui.ui.app import EcrApp

        app = EcrApp(
            settings,
            read_only=args.read_only or user.read_only,
            read_only_always=args.read_only,
            keymap=user.keymap,
            demo_launch=demo_launch,
            reader=reader,
            state=StateStore(state_path()),
        )
        if user.theme and user.theme not in app.available_themes:
            erase_start_screen()
            names = ", ".join(sorted(app.available_themes))
            print(f"ecr-tui: {user.source}: unknown theme {user.theme!r}; one of {names}")
            reader.close()
            return 2
    except BaseException:
        erase_start_screen()
        reader.close()
        if demo_launch is not None:
            demo_launch.close()
        raise
    if user.theme:
        app.theme = user.theme
    # Threads that take in pages run Python beside the UI thread: with the default
    # 5 ms the UI thread waits up to that long for the GIL at every step of a key.
    sys.setswitchinterval(0.001)
    # A listing builds records by the thousand; with the default threshold (700)
    # the collector ran every few hundred of them, each run a pause for the UI.
    # Records hold no cycles, and loaded ones are frozen out of collection
    # (see Pane._flush_pending): rarer young collections lose nothing.
    gc.set_threshold(20_000, 20, 20)
    try:
        app.run()
    finally:
        reader.close()
        if demo_launch is not None:
            demo_launch.close()
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())
