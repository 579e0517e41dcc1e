"""The command line as a user meets it before the app starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

WITHOUT_MOTO = (
    "import sys; sys.modules['moto'] = None; "  # as if the [demo] extra were not installed
    "from ecr_tui.cli import main; sys.exit(main(['--demo']))"
)


def test_demo_without_its_extra_says_what_to_install() -> None:
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_MOTO], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "ecr-tui[demo]" in done.stderr and "not installed" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_broken_config_file_stops_with_its_name_and_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"read_only = \xff\n")
    done = subprocess.run(
        [sys.executable, "-m", "ecr_tui.cli", "--demo"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "ECR_TUI_CONFIG": str(path)},
    )
    assert done.returncode == 2
    assert str(path) in done.stderr and "not UTF-8" in done.stderr
    assert "Traceback" not in done.stderr
