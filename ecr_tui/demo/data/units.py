"""The units the demo's data is written in: seconds in a day, bytes in a megabyte."""

from __future__ import annotations

DAY = 86_400.0
MB = 1_000_000
