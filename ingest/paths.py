"""Where Podium keeps what is not published: converted models and the transcript cache."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """$PODIUM_CACHE_DIR, else $XDG_CACHE_HOME/podium, else ~/.cache/podium."""
    env = os.environ.get("PODIUM_CACHE_DIR")
    if env:
        path = Path(env)
    else:
        path = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "podium"
    path.mkdir(parents=True, exist_ok=True)
    return path
