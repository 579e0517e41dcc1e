"""`ecr-tui export findings`: the fleet's findings for scripts and CI, without the TUI.

Exit status (see EXIT_*): 0 when the export was written and no finding in it
is rated at or above --fail-on; 1 when some are; 2 for bad usage; 3 when
ECR could not be read (nothing written), or when not every image in scope
could be read and nothing at the threshold was found among those that were
(a clean answer cannot be given); 4 when the scope names no repository that
exists (nothing written: an empty export would read as a clean result);
141 when the reader of stdout closed it (as a command killed by SIGPIPE).

With --demo the export reads the demo's context named by --profile (dev, the
default, or prod) and --region, as `ecr-tui --demo` browses them.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from ecr_tui.core.ecr import ConnectionSettings, EcrService
    from ecr_tui.core.fleet.scope import Scope
    from ecr_tui.core.models import Severity

EXIT_CLEAN = 0
EXIT_FOUND = 1
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3
EXIT_NO_REPOSITORY = 4
EXIT_PIPE_CLOSED = 128 + 13  # as a shell reports a command that SIGPIPE ended

# The demo's profiles a headless export may read (prod-admin wants an MFA code).
DEMO_PROFILES = ("dev", "prod")

# Seconds before the progress line appears: a short run prints none.
PROGRESS_AFTER = 2.0
# How often the line is written again where stderr is a file, not a terminal.
PROGRESS_EVERY = 10.0

EPILOG = """\
exit status:
  0  written; nothing rated at or above --fail-on
  1  written; findings rated at or above --fail-on were found
  2  bad usage (nothing written)
  3  ECR could not be read, or not every image in scope could be and none of
     those read has a finding at or above --fail-on (no clean answer)
  4  no repository is in scope: --repository names none in this account and
     region, or --repositories matches none (nothing written)
  141  stdout was closed by its reader (`| head`): output stopped there

--fail-on defaults to --min-severity when given, else LOW (any rated finding);
--fail-on none always exits 0 once written. The coverage line ("findings for
N of M images; K never scanned") goes to stderr, as does a progress line on
runs longer than two seconds.
"""


def parse_export_args(argv: Sequence[str]) -> argparse.Namespace:
    """Read `export findings ...` (argv without the leading `export`)."""
    parser = argparse.ArgumentParser(
        prog="ecr-tui export",
        description="Export vulnerability findings across the registry.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="what", required=True, metavar="findings")
    findings = sub.add_parser(
        "findings",
        help="findings of the images in scope",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    connection = findings.add_argument_group("where")
    connection.add_argument(
        "--demo",
        action="store_true",
        help="the embedded demo registry (its profiles: dev, prod; regions: us-east-1, "
        "eu-west-1, ap-southeast-2)",
    )
    connection.add_argument("--profile", help="AWS profile from ~/.aws/config")
    connection.add_argument("--region", help="AWS region")
    connection.add_argument("--endpoint-url", help="ECR endpoint URL (local or private)")
    scope = findings.add_argument_group("scope")
    scope.add_argument("--repository", help="only this repository")
    scope.add_argument("--repositories", metavar="PATTERN", help="repository names: a glob")
    scope.add_argument("--image", metavar="TAG|DIGEST", help="one image (needs --repository)")
    scope.add_argument("--cve", metavar="ID", help="only this vulnerability")
    scope.add_argument("--min-severity", metavar="S", help="critical, high, medium, low, ...")
    scope.add_argument(
        "--no-unrated", action="store_true", help="with --min-severity: drop unrated findings too"
    )
    scope.add_argument("--fixable", action="store_true", help="only findings with a fix")
    scope.add_argument("--exploitable", action="store_true", help="only known exploits")
    scope.add_argument("--tagged", action="store_true", help="only tagged images")
    scope.add_argument("--newest", type=int, metavar="N", help="the newest N per repository")
    scope.add_argument("--pulled-within", type=float, metavar="DAYS", help="pulled lately")
    output = findings.add_argument_group("output")
    output.add_argument(
        "--format", required=True, choices=("csv", "json", "markdown", "sarif"), help="format"
    )
    output.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout)")
    output.add_argument("--fail-on", metavar="S", help="exit 1 at this severity (or 'none')")
    output.add_argument("--concurrency", type=int, default=16, help="calls in flight (1-32)")
    output.add_argument(
        "--source",
        choices=("auto", "inspector", "scan-findings"),
        default="auto",
        help="auto: Amazon Inspector when the registry uses enhanced scanning, else "
        "DescribeImageScanFindings image by image",
    )
    output.add_argument("--quiet", action="store_true", help="no progress or coverage line")
    args = findings.parse_args(argv[1:]) if argv and argv[0] == "findings" else None
    if args is None:
        parser.parse_args(argv)  # prints usage and exits 2 for anything but `findings`
        raise SystemExit(EXIT_USAGE)
    if args.demo and args.endpoint_url:
        findings.error("--demo runs its own local endpoint: drop --endpoint-url")
    if args.demo and args.profile and args.profile not in DEMO_PROFILES:
        findings.error(
            f"the demo has no profile {args.profile!r} for a headless export: "
            f"one of {', '.join(DEMO_PROFILES)}"
        )
    if args.image and not args.repository:
        findings.error("--image needs --repository: tags are per repository")
    if not 1 <= args.concurrency <= 32:
        findings.error("--concurrency takes 1 to 32 calls in flight")
    if args.newest is not None and args.newest < 1:
        findings.error("--newest takes 1 or more")
    if args.pulled_within is not None and args.pulled_within <= 0:
        findings.error("--pulled-within takes a number of days above 0")
    return args


def run_export(argv: Sequence[str], stderr: TextIO | None = None) -> int:
    """Run `ecr-tui export ...`; return the exit status."""
    err = stderr or sys.stderr
    args = parse_export_args(argv)
    from ecr_tui.core.fleet.scope import Scope, parse_severity
    from ecr_tui.core.models import Severity

    try:
        min_severity = parse_severity(args.min_severity) if args.min_severity else None
        fail_on: Severity | None
        if args.fail_on and args.fail_on.lower() == "none":
            fail_on = None
        elif args.fail_on:
            fail_on = parse_severity(args.fail_on)
        else:
            fail_on = min_severity or Severity.LOW
        scope = Scope(
            min_severity=min_severity or Severity.UNDEFINED,
            keep_unrated=not args.no_unrated,
            fixable=args.fixable,
            exploitable=args.exploitable,
            cve=(args.cve or "").strip(),
            repository=args.repository or "",
            repository_pattern=args.repositories or "",
            image=args.image or "",
            tagged_only=args.tagged,
            newest_per_repository=args.newest,
            pulled_within_days=args.pulled_within,
        )
    except ValueError as error:
        print(f"ecr-tui export: {error}", file=err)
        return EXIT_USAGE
    if args.demo:
        return _export_demo(args, scope, fail_on, err)
    from ecr_tui.core.ecr import ConnectionSettings

    settings = ConnectionSettings(
        profile=args.profile, region=args.region, endpoint_url=args.endpoint_url
    )
    return _export(args, scope, fail_on, err, settings)


def _export_demo(
    args: argparse.Namespace, scope: Scope, fail_on: Severity | None, err: TextIO
) -> int:
    """The export at the demo's endpoint, in the context --profile and --region name, as
    `ecr-tui --demo` reads it: its profiles (a role in another account among them), its
    other regions, and its Inspector's delegated administration."""
    from ecr_tui.demo_check import demo_missing_message

    if missing := demo_missing_message():
        print(missing, file=err)
        return EXIT_USAGE
    from ecr_tui.demo.contexts import demo_settings
    from ecr_tui.demo.launcher import DemoEndpointError, spawn_demo_endpoint

    launch = spawn_demo_endpoint(registry=False, extra_contexts=True)
    try:
        endpoint = launch.wait_ready(timeout=60.0)
    except DemoEndpointError as error:
        print(f"ecr-tui export: the demo endpoint did not start: {error}", file=err)
        return EXIT_INCOMPLETE
    # As the app connects to its demo (cli.main, ui.contexts): the same profile and region.
    settings = demo_settings(args.profile, args.region).at_demo_endpoint(endpoint.url)
    with endpoint, _aws_config(launch.aws_config_path, launch.aws_credentials_path):
        return _export(args, scope, fail_on, err, settings)


@contextlib.contextmanager
def _aws_config(config: Path, credentials: Path) -> Iterator[None]:
    """The demo's AWS config, and only it, while the export runs (as `ecr-tui --demo`)."""
    names = ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_PROFILE")
    saved = {name: os.environ.get(name) for name in names}
    os.environ["AWS_CONFIG_FILE"] = str(config)
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = str(credentials)
    os.environ.pop("AWS_PROFILE", None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _export(
    args: argparse.Namespace,
    scope: Scope,
    fail_on: Severity | None,
    err: TextIO,
    settings: ConnectionSettings,
) -> int:
    from ecr_tui.core.ecr import EcrService
    from ecr_tui.core.fleet.export import fleet_export, vulnerability_export, write
    from ecr_tui.core.fleet.fanout import Progress
    from ecr_tui.core.fleet.source import SourcedScan
    from ecr_tui.export_words import command_line_problem, no_repository_message

    endpoint_url = settings.endpoint_url
    progress_line = _ProgressLine(err, quiet=args.quiet)

    def on_progress(progress: Progress) -> None:
        progress_line.show(progress.line())

    service = EcrService(settings, read_only=True)
    fleet = SourcedScan(
        service,
        scope,
        source=args.source,
        concurrency=args.concurrency,
        on_progress=on_progress,
    )
    try:
        result = fleet.run()
    except KeyboardInterrupt:
        fleet.cancel()
        progress_line.done()
        print("ecr-tui export: cancelled; nothing written", file=err)
        return EXIT_INCOMPLETE
    except Exception as error:  # credentials, region, endpoint: say what to do next
        progress_line.done()
        print(f"ecr-tui export: {command_line_problem(error, endpoint_url)}", file=err)
        return EXIT_INCOMPLETE
    progress_line.done()
    coverage = result.coverage
    account, region = _registry(service)
    if not coverage.in_scope and (scope.repository or scope.repository_pattern):
        missing = no_repository_message(service, scope, account, region)
        if missing:
            print(f"ecr-tui export: {missing}", file=err)
            return EXIT_NO_REPOSITORY
    if result.problems and not coverage.in_scope:
        for problem in result.problems:
            print(f"ecr-tui export: {command_line_problem(problem)}", file=err)
        return EXIT_INCOMPLETE
    if scope.image and not coverage.in_scope:
        print(
            f"ecr-tui export: no image {scope.image} in {scope.repository} "
            "(or it is not a container image): check the tag or digest",
            file=err,
        )
        return EXIT_USAGE
    line = f"{coverage.line()} · {fleet.answered_by()}"
    if scope.cve:
        export = vulnerability_export(
            result.findings, scope.cve, line, coverage.complete, account=account, region=region
        )
    else:
        export = fleet_export(
            result.findings, line, coverage.complete, account=account, region=region
        )
    try:
        if args.output:
            with Path(args.output).open("w", encoding="utf-8") as out:
                write(export, args.format, out)
        else:
            write(export, args.format, sys.stdout)
            sys.stdout.flush()
    except BrokenPipeError:
        if args.output:
            raise
        # The reader of stdout has what it wanted (`| head`): not an error to report.
        _silence_stdout()
        return EXIT_PIPE_CLOSED
    except OSError as error:
        target = args.output or "standard output"
        print(f"ecr-tui export: cannot write {target}: {error.strerror or error}", file=err)
        return EXIT_USAGE
    if not args.quiet:
        for problem in result.problems:
            print(f"ecr-tui export: {command_line_problem(problem)}", file=err)
        for problem, count in coverage.read_failures.items():
            why = command_line_problem(problem)
            print(f"ecr-tui export: {count:,} reports could not be read: {why}", file=err)
        to = f" to {args.output}" if args.output else ""
        written = f"{len(export.rows):,} findings{to}"
        print(f"ecr-tui export: {written}; {export.where}; {line}", file=err)
    found = fail_on is not None and any(
        row.finding.severity.rated and row.finding.severity >= fail_on for row in export.rows
    )
    if found:
        return EXIT_FOUND
    return EXIT_CLEAN if coverage.complete else EXIT_INCOMPLETE


def _registry(service: EcrService) -> tuple[str, str]:
    """The account (registry id) and region the export read; "" for an account not known.

    STS says, at its own endpoint (not at the demo's unless it is named: the demo's
    keys are not AWS's); else ECR's DescribeRegistry (not in AWS's read-only policy).
    """
    region = service.region
    settings = service.settings
    if not settings.demo or settings.sts_endpoint_url:
        with contextlib.suppress(Exception):  # not allowed, or no STS here: ask ECR
            return str(service.client("sts").get_caller_identity()["Account"]), region
    with contextlib.suppress(Exception):  # nobody says: the exports say unknown
        return str(service.ecr.describe_registry().get("registryId", "")), region
    return "", region


def _silence_stdout() -> None:
    """Point stdout at /dev/null: Python's flush at exit would hit the closed pipe again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


class _ProgressLine:
    """A progress line on stderr once a run takes long: redrawn on a terminal, else every 10 s."""

    def __init__(self, err: TextIO, quiet: bool) -> None:
        self.err = err
        self.quiet = quiet
        self.tty = err.isatty()
        self.started = time.monotonic()
        self.last = 0.0
        self.shown = False

    def show(self, text: str) -> None:
        now = time.monotonic()
        if self.quiet or now - self.started < PROGRESS_AFTER:
            return
        if self.tty:
            if now - self.last >= 0.1:
                self.err.write(f"\r\x1b[2K{text}")
                self.err.flush()
                self.last, self.shown = now, True
        elif now - self.last >= PROGRESS_EVERY:
            self.err.write(f"ecr-tui export: {text}\n")
            self.err.flush()
            self.last = now

    def done(self) -> None:
        if self.shown:
            self.err.write("\r\x1b[2K")
            self.err.flush()
