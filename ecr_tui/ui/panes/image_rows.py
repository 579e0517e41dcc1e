"""How an image looks in the images pane: its columns, its cells, its info lines.

Pure functions of an image (and of what the image tree says about it), apart from
the pane that holds the rows, their order and the actions on them; the tests
compare what the screen shows with them.
"""

from __future__ import annotations

from rich.text import Text

from ecr_tui.core.models import (
    SEVERITIES_WORST_FIRST,
    Image,
    ScanReport,
    ScanState,
    SeverityCounts,
)
from ecr_tui.ui.format import (
    SCAN_STYLE_NAME,
    Palette,
    absolute_time,
    human_size,
    relative_time,
    severity_counts_text,
    short_age,
)
from ecr_tui.ui.panes.image_tree import IndexScan
from ecr_tui.ui.table.cells import Cell
from ecr_tui.ui.table.columns import Column

PLAIN_COLUMNS = (
    Column("Tags", 10, flexible=True),
    Column("Pushed", 6),
    Column("Size", 9, align="right"),
    Column("Scan", 16),  # SCAN_WIDTH
    Column("Digest", 12),
    Column("Pulled", 6),
)
SCAN_AT = 3  # the Scan column's place
# Shown after Scan only in a repository that holds more than plain images.
TYPE_COLUMN = Column("Type", 15)
REFS_COLUMN = Column("Refs", 4)


def render_image(image: Image, palette: Palette) -> list[Cell]:
    """One image row."""
    tags = ", ".join(image.tags) if image.tags else Text("<untagged>", palette("muted"))
    return [
        tags,
        short_age(image.pushed_at),
        human_size(image.size_bytes),
        scan_cell(image, palette),
        image.short_digest,
        short_age(image.last_pulled_at),
    ]


# "C2 H10 M26 L17" whole; more severities than fit end in "+N" (see severity_counts_text).
SCAN_WIDTH = 16


def scan_cell(image: Image, palette: Palette) -> Text:
    """Severity counts once a scan has results, else where the scan stands."""
    state = image.scan_state
    if state is ScanState.COMPLETE:
        if image.severity_counts.total:
            return severity_counts_text(image.severity_counts, palette, SCAN_WIDTH)
        return Text("clean", palette("ok"))
    return Text(image.scan_label, palette(SCAN_STYLE_NAME.get(state, "medium")))


def with_scan(image: Image, report: ScanReport) -> Image:
    """`image`'s record as `report` tells its scan (the very record when nothing is new)."""
    scanned = image._replace(
        # (a status the app does not know stays as ECR spells it)
        scan_status=report.status if report.state is ScanState.UNKNOWN else report.state.name,
        scan_description=report.description,
        severity_row=tuple(report.summary.get(s) for s in SEVERITIES_WORST_FIRST),
    )
    return image if scanned == image else scanned


def image_label(image: Image) -> str:
    """How the user names an image: its first tag, else its short digest."""
    return image.tags[0] if image.tags else f"@{image.short_digest}"


def index_scan_cell(scan: IndexScan, known: bool, palette: Palette) -> Text:
    """An index's Scan cell: its worst platform's counts (an index itself is not scanned)."""
    if scan.state is None:
        return Text("…" if not known else "no platforms", palette("muted"))
    if scan.state is ScanState.COMPLETE:
        counts = SeverityCounts.from_row(scan.severity_row)
        if counts.total:
            return severity_counts_text(counts, palette, SCAN_WIDTH)
        return Text("clean", palette("ok"))
    return Text(scan.state.value, palette(SCAN_STYLE_NAME.get(scan.state, "medium")))


def type_cell(label: str, image: Image, palette: Palette) -> Text:
    """The Type cell: archived rows stand out, the rest is quiet."""
    if image.image_status == "ARCHIVED":
        return Text(label, palette("medium"))
    if image.image_status == "ACTIVATING":
        return Text(label, palette("low"))
    return Text(label, palette("muted") if label.startswith(("platform", "attest")) else "")


def image_info(image: Image, kind: str = "") -> list[Text]:
    """The highlighted image in full (what it is, every tag, times, size, digest), then
    shorter forms for a narrower pane, whose times are to the minute, then ages only."""
    count = len(image.tags)
    tags = Text("untagged")
    if image.tags:
        noun = "tag" if count == 1 else "tags"
        tags = Text.assemble(f"{count} {noun}: ", (", ".join(image.tags), "bold"))
    pushed_age = relative_time(image.pushed_at)
    size = human_size(image.size_bytes)
    pulled = "never pulled"
    if image.last_pulled_at:
        pulled = f"pulled {relative_time(image.last_pulled_at)}"
    to_second = absolute_time(image.pushed_at)
    # "2026-11-20 09:14:35 UTC" without ":35"
    to_minute = f"{to_second[:-7]} UTC" if image.pushed_at else to_second
    last = "last " if image.last_pulled_at else ""
    times: tuple[str, ...] = (
        f"pushed {to_second} ({pushed_age}) · {size} · {last}{pulled}",
        f"pushed {to_minute} ({pushed_age}) · {size} · {pulled}",
        f"pushed {pushed_age} · {size} · {pulled}",
    )
    if image.image_status == "ARCHIVED":
        archived = f"archived {absolute_time(image.archived_at)}: not pullable, A restores · "
        times = tuple(archived + line for line in times)
    elif image.image_status == "ACTIVATING":
        times = tuple(f"being restored (up to 20 minutes) · {line}" for line in times)
    if kind:
        tags = Text.assemble(f"{kind} · ", tags)
    return [Text.assemble(tags, "\n", line, "\n", (image.digest, "bold")) for line in times]
