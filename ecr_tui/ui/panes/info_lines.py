"""InfoLines: a few lines of text under a table, drawn without Textual's content pipeline.

Every pane shows the highlighted row in full with one; the findings pane shows its
scan summary with another.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget


class InfoLines(Widget):
    """A few lines of text under a table, each cut to the width with an ellipsis.

    What a Static did, without Textual's content pipeline: the Static ran the text
    through it again at every cursor move, a third of the cost of that frame.
    """

    def __init__(self, *, classes: str) -> None:
        super().__init__(classes=classes)
        self._text = Text()
        self._strips: list[Strip] = []
        self._drawn_for: tuple[int, Style] | None = None  # the width and style of _strips
        self._style: Style | None = None

    @property
    def text(self) -> Text:
        """What the lines show."""
        return self._text

    def update(self, text: Text | str) -> None:
        """Show `text`, one line per line of it."""
        self._text = text if isinstance(text, Text) else Text(text)
        self._drawn_for = None
        self.refresh()

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
            for line in self._text.split("\n", allow_blank=True):
                line.no_wrap = True
                line.truncate(width, overflow="ellipsis")
                strip = Strip(line.render(console)).apply_style(style)
                self._strips.append(strip.extend_cell_length(width, style))
        if y < len(self._strips):
            return self._strips[y]
        return Strip.blank(width, style)
