"""Where a run writes: `reports/<UTC timestamp>/` unless told, and `reports/latest` pointing at it.

Shared by a run and a differential run (which imports this, not `run`: no import circle).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from pathlib import Path


def report_folder(report_dir: Path | None) -> tuple[Path, bool]:
    """The folder this run writes to; True when it is the default reports/<timestamp>/."""
    if report_dir is not None:
        return report_dir, False
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    base = Path("reports")
    folder, n = base / stamp, 1
    while folder.exists():
        n += 1
        folder = base / f"{stamp}-{n}"
    return folder, True


def point_latest(folder: Path) -> None:
    """Make reports/latest a symlink to the newest run folder (replaced atomically)."""
    latest = folder.parent / "latest"
    temporary = folder.parent / f".latest-{os.getpid()}"
    try:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        temporary.symlink_to(folder.name, target_is_directory=True)
        os.replace(temporary, latest)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink()
