"""Where the palette's Screenshot command saves its SVG: somewhere that exists.

Textual saves to the Downloads folder (XDG's, else ~/Downloads) and fails when it
does not exist, as on most servers. The app keeps Downloads when it is there and
writable, and otherwise saves in the current directory, then the temp folder.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from platformdirs import user_downloads_path


def screenshot_folder() -> Path:
    """The first writable folder of: Downloads, the current directory, the temp folder."""
    for folder in (user_downloads_path(), Path.cwd(), Path(tempfile.gettempdir())):
        if folder.is_dir() and os.access(folder, os.W_OK | os.X_OK):
            return folder
    return Path.cwd()  # nothing writable: Textual's own error says it failed
