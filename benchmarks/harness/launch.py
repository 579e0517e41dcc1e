"""How the app and the AWS CLI are launched: their environment, the installed
scripts, the app's bytecode cache, and which ecr_tui code runs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from .common import REGION, RESULTS, BenchmarkError


def app_environment() -> dict[str, str]:
    """The user's environment minus what would change the app's looks or size."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TEXTUAL", "COLUMNS", "LINES", "NO_COLOR", "AWS_"))
        and k != "PYTHONDONTWRITEBYTECODE"
    }
    env.update(
        # Compiled once, as an installed package is (pip compiles on install): without
        # it every launch would compile the app's sources again (about 0.1 s here).
        PYTHONPYCACHEPREFIX=str(RESULTS / "pycache"),
        TERM="xterm-256color",
        COLORTERM="truecolor",
        AWS_ACCESS_KEY_ID="benchmark",
        AWS_SECRET_ACCESS_KEY="benchmark",
        AWS_DEFAULT_REGION=REGION,
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


def find_script(name: str) -> str | None:
    """The real script next to this Python (a pyenv shim would add its own start-up)."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


def console_script(name: str) -> str:
    found = find_script(name)
    if not found:
        raise BenchmarkError(f"`{name}` is not installed (pip install -e .)")
    return found


def app_code() -> dict[str, Any]:
    """Which ecr_tui the app ran (PYTHONPATH may point elsewhere) and at what commit."""
    where = (
        subprocess.run(
            [sys.executable, "-P", "-c", "import ecr_tui; print(ecr_tui.__file__)"],
            capture_output=True,
            env=app_environment(),
            timeout=60,
        )
        .stdout.decode()
        .strip()
    )
    package = Path(where).parent if where else None
    info: dict[str, Any] = {"ecr_tui": str(package) if package else None}
    if package is not None and shutil.which("git"):
        read = [shutil.which("git") or "git", "-C", str(package)]
        head = subprocess.run([*read, "rev-parse", "--short", "HEAD"], capture_output=True)
        changed = subprocess.run([*read, "status", "--porcelain", "."], capture_output=True)
        if head.returncode == 0:
            info["git_head"] = head.stdout.decode().strip()
            info["uncommitted_changes"] = bool(changed.stdout.strip())
    return info


def compile_app() -> None:
    """Bytecode for the ecr_tui the app will import, in the results folder's cache."""
    code = (
        "import compileall, os, ecr_tui; "
        "compileall.compile_dir(os.path.dirname(ecr_tui.__file__), quiet=1)"
    )
    subprocess.run(
        [sys.executable, "-P", "-c", code], env=app_environment(), check=True, timeout=120
    )
