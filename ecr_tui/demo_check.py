"""Whether `--demo` can run here: the demo endpoint is an optional extra."""

from __future__ import annotations

import sys


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
