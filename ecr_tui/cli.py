"""Command line entry point: `ecr-tui [--demo] [--profile P] [--region R] [--endpoint-url U]`."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Callable, Sequence

from ecr_tui import __version__


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="ecr-tui",
        description="A terminal explorer for AWS ECR private registries.",
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


def demo_missing_message() -> str | None:
    """Why `--demo` cannot run here, or None when its endpoint is installed.

    The demo's endpoint (moto's server) is an extra, most of the install's size;
    looking it up costs no import.
    """
    import importlib.util

    if importlib.util.find_spec("moto") is not None:
        return None
    return (
        "ecr-tui: --demo needs the demo endpoint, which is not installed here.\n"
        "Install it into the same environment as ecr-tui:\n"
        f"    {sys.executable} -m pip install 'ecr-tui[demo]'\n"
        "(from a source checkout: pip install '.[demo]')"
    )


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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the app until the user quits."""
    args = parse_args(argv)
    if args.demo and (missing := demo_missing_message()):
        print(missing, file=sys.stderr)
        return 2
    from ecr_tui.config import ConfigError, load_settings

    try:
        user = load_settings("dev" if args.demo else args.profile)
    except ConfigError as error:
        print(f"ecr-tui: {error}", file=sys.stderr)
        return 2
    from ecr_tui.core.ecr import ConnectionSettings
    from ecr_tui.core.remote_reader import RemoteReader

    settings = ConnectionSettings(
        # The demo's AWS config names its profiles (see demo.contexts): `dev` first.
        profile="dev" if args.demo else args.profile,
        region=args.region or ("us-east-1" if args.demo else None),
        endpoint_url=args.endpoint_url,
        demo=args.demo,
        sts_endpoint_url=args.sts_endpoint_url,
    )
    erase_start_screen = draw_start_screen(
        "the demo registry" if args.demo else settings.endpoint_label
    )
    # Started before Textual is even imported, on the other core: the reader
    # process loads boto3 and asks for the repositories and the account while
    # this one draws the first frame; the demo endpoint seeds meanwhile.
    demo_launch = None
    if args.demo:
        from ecr_tui.demo.launcher import spawn_demo_endpoint

        demo_launch = spawn_demo_endpoint(extra_contexts=True)
        # The demo's profiles, and only them, for this process and the reader it
        # starts: botocore reads these files whenever a session is made.
        os.environ["AWS_CONFIG_FILE"] = str(demo_launch.aws_config_path)
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = str(demo_launch.aws_credentials_path)
        os.environ.pop("AWS_PROFILE", None)
    reader = RemoteReader()
    if not args.demo:
        reader.connect(settings)
        reader.prefetch("repositories")
        reader.prefetch("account")
    # Textual repaints on a 60 Hz grid, so a key waited 8 ms on average (up to 17)
    # for its frame. Repaints happen only when something changed: a finer grid
    # costs nothing at rest.
    os.environ.setdefault("TEXTUAL_FPS", "240")
    try:
        # Imported here so that --help and --version answer without loading Textual.
        from ecr_tui.ui.app import EcrApp

        app = EcrApp(
            settings,
            read_only=args.read_only or user.read_only,
            read_only_always=args.read_only,
            keymap=user.keymap,
            demo_launch=demo_launch,
            reader=reader,
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
