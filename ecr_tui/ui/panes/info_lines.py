"""InfoLines: a few lines of text under a table, drawn without Textual's content pipeline.

Every pane shows the highlighted row in full with one; the findings pane shows its
scan summary with another.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget

# What a wrapping info line leaves to the table above it: its header, two rows, and
# the filter box's line.
TABLE_LINES_KEPT = 4


class InfoLines(Widget):
    """A few lines of text under a table, each cut to the width with an ellipsis.

    What a Static did, without Textual's content pipeline: the Static ran the text
    through it again at every cursor move, a third of the cost of that frame.

    A text can come with shorter forms: the first whose lines fit is shown, so that
    a narrow pane reads "C3 H9 M27 L24 I3 U7" rather than "… 3 informational · 7 unde…".
    """

    def __init__(
        self, *, classes: str, wrap_first_line: bool = False, least_lines: int = 1
    ) -> None:
        super().__init__(classes=classes)
        self._text = Text()
        self._shorter: tuple[Text, ...] = ()
        # The lines at a width and pane height (which bounds a wrapped line).
        self._lines_for: tuple[tuple[int, int], list[Text]] | None = None
        self._strips: list[Strip] = []
        self._drawn_for: tuple[int, Style] | None = None  # the width and style of _strips
        self._style: Style | None = None
        # The first line wraps instead of being cut (a list of tags, all of which
        # must be readable), and the widget grows to hold it, as far as its pane can
        # give. Its height is set only when that line count changes: a layout costs.
        self.wrap_first_line = wrap_first_line
        # Never fewer lines than this (app.tcss sets the same): a shorter text, or none,
        # does not lay the screen out again.
        self.least_lines = least_lines
        self._lines = 0

    @property
    def text(self) -> Text:
        """What the lines show."""
        return self._text

    def update(self, text: Text | str, shorter: Sequence[Text] = ()) -> None:
        """Show `text`, one line per line of it, or the first of its `shorter` forms
        that fits the width where it does not."""
        self._text = text if isinstance(text, Text) else Text(text)
        self._shorter = tuple(shorter)
        self._lines_for = None
        self._drawn_for = None
        self._fit_height()
        self.refresh()

    def on_resize(self) -> None:
        """A wrapped line may need more or fewer lines at another width."""
        self._fit_height()

    def _fit_height(self) -> None:
        if not self.wrap_first_line:
            return
        lines = max(len(self._lines_at(self.content_size.width)), self.least_lines)
        if lines != self._lines:
            self._lines = lines
            self.styles.height = lines

    def _form_at(self, width: int) -> list[Text]:
        """The lines of the first form whose lines fit `width` (else of the shortest).

        Lines the same in every form (a digest, a wrapped list) do not count: no
        form would shorten them.
        """
        forms = [list(form.split("\n", allow_blank=True)) for form in (self._text, *self._shorter)]
        if len(forms) == 1 or width <= 0:
            return forms[0]
        depth = max(map(len, forms))
        plain = [[line.plain for line in lines] + [""] * (depth - len(lines)) for lines in forms]
        varying = [i for i in range(depth) if len({lines[i] for lines in plain}) > 1]
        for lines in forms:
            if all(lines[i].cell_len <= width for i in varying if i < len(lines)):
                return lines
        return forms[-1]

    def _lines_at(self, width: int) -> list[Text]:
        """The text's lines at `width`: the first wrapped (see __init__), the rest cut.

        Worked out once per text and width: this runs at every move of the cursor.
        """
        pane = self.parent
        pane_height = pane.content_size.height if isinstance(pane, Widget) else 0
        if self._lines_for is None or self._lines_for[0] != (width, pane_height):
            self._lines_for = ((width, pane_height), self._lay_out(width, pane_height))
        return self._lines_for[1]

    def _lay_out(self, width: int, pane_height: int) -> list[Text]:
        lines = self._form_at(width)
        if not self.wrap_first_line or width <= 0 or not lines or lines[0].cell_len <= width:
            return lines
        wrapped = list(lines[0].wrap(self.app.console, width, overflow="fold"))
        # As many as the pane has, but for the table's lines it keeps (zoomed with z,
        # the pane has the screen); past that the last line ends in an ellipsis.
        most = max(1, pane_height - TABLE_LINES_KEPT - (len(lines) - 1))
        if len(wrapped) > most:
            wrapped = wrapped[:most]
            wrapped[-1].append(" …")
        return [*wrapped, *lines[1:]]

    def notify_style_update(self) -> None:
        """The theme or CSS changed: read our style again."""
        self._style = None
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        """Line `y` of the text, cut and padded to the width."""
        width = self.content_size.width
        if self._style is None:
            self._style = self.rich_style  # walks every ancestor: once per style change
        style = self._style
        if self._drawn_for != (width, style):
            self._drawn_for = (width, style)
            console = self.app.console
            self._strips = []
            for line in self._lines_at(width):
                line.no_wrap = True
                line.truncate(width, overflow="ellipsis")
                strip = Strip(line.render(console)).apply_style(style)
                self._strips.append(strip.extend_cell_length(width, style))
        if y < len(self._strips):
            return self._strips[y]
        return Strip.blank(width, style)
