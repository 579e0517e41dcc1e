"""The targets evaluated on the report, and the table printed at the end."""

from __future__ import annotations

from typing import Any

from .common import BIG_REPOSITORY, COLUMNS, KEY_TIMEOUT, LINES, TARGETS


def evaluate(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target: what was measured, the limit and pass/fail."""
    app, cli, calls = report["app"], report.get("cli") or {}, report["api_calls"]["app"]
    ref = report["reference"]["first_page_s"]
    rows: list[dict[str, Any]] = []

    def add(
        name: str, value: float | None, limit: float | None, unit: str, note: str, strict: bool
    ) -> None:
        passed = None
        if value is not None and limit is not None:
            passed = value < limit if strict else value <= limit
        row = {"target": name, "value": value, "limit": limit, "unit": unit, "note": note}
        rows.append({**row, "pass": passed})

    launches = app["launches"]
    spread = {
        name: ", ".join(_fmt(launch.get(name)) for launch in launches)
        for name in ("first_frame", "first_repository_row")
    }
    note = (
        f"from spawn, median of {len(launches)} launches: {spread['first_frame']}; "
        f"the panes at {_fmt(app.get('first_full_frame_median_s'))}"
    )
    add("first frame", app["first_frame_median_s"], TARGETS["first_frame_s"], "s", note, False)
    add(
        "first repository row",
        app["first_repository_row_median_s"],
        TARGETS["first_repository_row_s"],
        "s",
        f"from spawn, median of {len(launches)} launches: {spread['first_repository_row']}",
        False,
    )
    demo_rows = ", ".join(
        _fmt(launch.get("first_repository_row")) for launch in app["demo_launches"]
    )
    add(
        "demo: first repository row",
        app["demo_first_repository_row_median_s"],
        TARGETS["first_repository_row_s"],
        "s",
        f"`ecr-tui --demo` from spawn, its endpoint starting too; median of {demo_rows}",
        False,
    )
    switches = app.get("context_switches") or []
    # Both sides are medians of several launches: a cold start's listing (its first
    # repository row minus its first API call, launch by launch) against the switch's.
    listing = ", ".join(
        _fmt(launch["first_repository_row"] - launch["first_call"])
        for launch in launches
        if launch.get("first_repository_row") is not None and launch.get("first_call") is not None
    )
    add(
        "context switch: first repository row",
        app.get("context_switch_first_repository_row_median_s"),
        app.get("listing_first_row_median_s"),
        "s",
        "the enter choosing the region → a row of its repositories; median of "
        + ", ".join(_fmt(s.get("first_repository_row_s")) for s in switches)
        + "; limit = median of the cold starts' first repository row minus their first "
        f"API call: {listing}",
        False,
    )
    switch_keys = app.get("keys_during_switch_load")
    if switch_keys is not None:
        note = (
            f"{BIG_REPOSITORY} restored by a switch back, {switch_keys['count']} presses, "
            f"{switch_keys['timeouts']} unanswered in {KEY_TIMEOUT:g} s"
        )
        for part, what in (("cursor", "cursor"), ("info", "info line")):
            label = f"key p99 while a switch loads ({what})"
            add(label, switch_keys[f"{part}_p99_ms"], TARGETS["key_p99_ms"], "ms", note, True)
    install = app["install"]
    add(
        "install size (pip install .)",
        install["plain_mb"],
        None,
        "MB",
        f"{install['plain_distributions']} distributions; with [demo] (moto's server): "
        f"{install['demo_mb']} MB, {install['demo_distributions']} distributions",
        False,
    )
    first_row = app["first_image_row_s"]
    add(
        "first image row",
        first_row,
        round(ref + TARGETS["first_image_row_over_first_page_s"], 3),
        "s",
        f"from load start; limit = one 1,000-image page ({ref:.3f} s) + 100 ms",
        False,
    )
    cli_images = cli.get("describe_images_s")
    add(
        "first image row vs CLI",
        first_row,
        round(cli_images * TARGETS["first_image_row_vs_cli"], 3) if cli_images else None,
        "s",
        "limit = half of `aws ecr describe-images`",
        False,
    )
    for when, stats in (
        ("while loading", app["keys_during_loading"]),
        ("after loading", app["keys_after_loading"]),
    ):
        note = f"{stats['count']} presses, {stats['timeouts']} unanswered in {KEY_TIMEOUT:g} s"
        for part, what in (("cursor", "cursor"), ("info", "info line")):
            label = f"key p99 {when} ({what})"
            add(label, stats[f"{part}_p99_ms"], TARGETS["key_p99_ms"], "ms", note, True)
    worst = max((f["ms"] for f in app["filter"]), default=None)
    note = "slowest typed character"
    add("filter 100,000 rows", worst, TARGETS["filter_ms"], "ms", note, True)
    peak = app["rss"].get("peak_mb")
    add("peak RSS", peak, TARGETS["peak_rss_mb"], "MB", "the app process", True)
    note = f"{calls['total']} calls, minimum {calls['minimum']}"
    add("API calls vs minimum", calls["ratio"], TARGETS["api_calls_vs_minimum"], "x", note, False)
    return rows


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.3f}" if value < 10 else f"{value:,.1f}"
    return str(value)


def _ms(value: float | None) -> str:
    """Milliseconds to a tenth, whatever their size (`_fmt` is for seconds)."""
    return "-" if value is None else f"{value:.1f}"


def render_table(report: dict[str, Any]) -> str:
    """The printed summary."""
    out: list[str] = []
    out.append(
        f"ecr-tui benchmark · {report['dataset']['repositories']:,} repositories · "
        f"{report['dataset']['big_images']:,} images in {BIG_REPOSITORY} · "
        f"{COLUMNS}x{LINES} pty · {report['machine']['cpus']} CPUs"
    )
    code = report.get("app_code") or {}
    version = code.get("git_head", "?") + (
        " + uncommitted" if code.get("uncommitted_changes") else ""
    )
    out.append(f"app: {code.get('ecr_tui')} at {version}")
    out.append("")
    out.append(f"{'target':<34} {'measured':>10} {'limit':>10}  {'':4}  note")
    out.append("-" * 100)
    for row in report["targets"]:
        verdict = {True: "PASS", False: "FAIL", None: "n/a"}[row["pass"]]
        value = f"{_fmt(row['value'])} {row['unit']}"
        limit = f"{_fmt(row['limit'])} {row['unit']}" if row["limit"] is not None else "-"
        out.append(f"{row['target']:<34} {value:>10} {limit:>10}  {verdict:4}  {row['note']}")
    app, cli = report["app"], report.get("cli") or {}
    out.append("")
    out.append(f"{'app vs aws cli':<36} {'app':>9} {'cli':>9} {'app/cli':>8}")
    out.append("-" * 66)
    for label, mine, theirs in (
        ("first repository row (from spawn)", app["first_repository_row_median_s"],
         cli.get("describe_repositories_s")),
        ("all repositories (from spawn)", app["repositories_loaded_median_s"],
         cli.get("describe_repositories_s")),
        ("first image row", app["first_image_row_s"], cli.get("describe_images_s")),
        ("all images", app["images_loaded_s"], cli.get("describe_images_s")),
    ):  # fmt: skip
        ratio = f"{mine / theirs:.3f}" if mine is not None and theirs else "-"
        out.append(f"{label:<36} {_fmt(mine):>9} {_fmt(theirs):>9} {ratio:>8}")
    calls = report["api_calls"]
    out.append(
        f"{'API calls':<36} {calls['app']['total']:>9} "
        f"{_fmt((calls.get('cli') or {}).get('total')):>9}"
    )
    out.append("")
    out.append("details")
    out.append("-" * 66)
    details = [
        ("first full frame: panes drawn (median)", app.get("first_full_frame_median_s"), "s"),
        ("first API call (from spawn)", app["first_call_s"], "s"),
        ("first repositories page answered", app["first_repositories_page_answered_s"], "s"),
        ("first image row from the final enter", app["first_image_row_from_enter_s"], "s"),
        ("load started after the final enter", app["load_started_from_enter_s"], "s"),
        ("all images from the final enter", app["images_loaded_from_enter_s"], "s"),
        ("first page answered after load start", app["first_page_answered_s"], "s"),
        ("last page answered after load start", app["last_page_answered_s"], "s"),
        ("one 1,000-image page (probe, median)", report["reference"]["first_page_s"], "s"),
        ("peak RSS after the repositories", app["rss"].get("after_repositories_mb"), "MB"),
    ]
    for label, value, unit in details:
        out.append(f"{label:<38}{_fmt(value)} {unit}")
    for stats, when in (
        (app["keys_during_loading"], "while loading"),
        (app["keys_after_loading"], "after loading"),
        (app.get("keys_during_switch_load"), "while a switch loads"),
    ):
        if stats is None:
            continue
        for part in ("cursor", "info"):
            out.append(
                f"{f'keys {when}, {part}':<38}p50 {_ms(stats[f'{part}_p50_ms'])} ms  "
                f"p99 {_ms(stats[f'{part}_p99_ms'])} ms  "
                f"max {_ms(stats[f'{part}_max_ms'])} ms  n={stats['count']}"
            )
    typed = ", ".join(f"{f['typed']!r} {f['ms']:.0f}" for f in app["filter"])
    out.append(f"filter per character (ms)             {typed}")
    out.append(f"filter cleared with esc               {_fmt(app['filter_clear_esc_ms'])} ms")
    out.append(f"app calls by operation                {calls['app']['by_operation']}")
    if calls.get("cli"):
        out.append(f"cli calls by operation                {calls['cli']['by_operation']}")
    cpu = app.get("cpu") or {}
    if cpu:
        out.append(
            f"{'other processes during the app run':<38}{cpu['other_processes_pct_of_a_core']}% "
            f"of a core (load average {cpu['load_average_at_start']} at start)"
        )
        if cpu["other_processes_pct_of_a_core"] > 10:
            out.append("WARNING: the machine was busy with other work: times are inflated")
    out.append(f"benchmark run time                    {report['run_seconds']:.1f} s")
    return "\n".join(out)
