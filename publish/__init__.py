"""The published archive: Datasette with Podium's metadata, plugin and templates."""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).parent
DB_NAME = "archive"  # the archive is always published under this name, whatever its file is called


def load_metadata() -> dict:
    return json.loads((HERE / "metadata.json").read_text(encoding="utf-8"))


def make_datasette(db_path: str | Path, *, immutable: bool = False, settings: dict | None = None):
    """A Datasette instance serving `db_path` as the `archive` database."""
    from datasette.app import Datasette
    from datasette.database import Database

    ds = Datasette(
        metadata=load_metadata(),
        template_dir=str(HERE / "templates"),
        static_mounts=[("podium-static", str(HERE / "static"))],
        settings={"truncate_cells_html": 0, **(settings or {})},
    )
    if "_memory" in ds.databases:  # Datasette adds it when started without files
        ds.remove_database("_memory")
    db_path = Path(db_path).resolve()
    ds.add_database(Database(ds, path=str(db_path), is_mutable=not immutable), name=DB_NAME)
    ds._podium_root = db_path.parent  # media paths are relative to the database
    return ds
