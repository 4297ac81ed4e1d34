"""The published archive: Datasette with Podium's metadata, plugin and templates."""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).parent
DB_NAME = "archive"  # the archive is always published under this name, whatever its file is called


def load_metadata() -> dict:
    return json.loads((HERE / "metadata.json").read_text(encoding="utf-8"))


def _table_counts(db_path: Path) -> dict[str, int]:
    import sqlite3

    conn = sqlite3.connect(f"file:{db_path}?immutable=1", uri=True)
    try:
        tables = [r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")]
        return {t: conn.execute(f"select count(*) from [{t}]").fetchone()[0] for t in tables}
    finally:
        conn.close()


def make_datasette(db_path: str | Path, *, immutable: bool = False, settings: dict | None = None):
    """A Datasette instance serving `db_path` as the `archive` database."""
    from datasette.app import Datasette
    from datasette.database import Database

    ds = Datasette(
        metadata=load_metadata(),
        template_dir=str(HERE / "templates"),
        static_mounts=[("podium-static", str(HERE / "static"))],
        # a public site: arbitrary SQL is read-only in Datasette; bound its time too
        settings={"truncate_cells_html": 0, "sql_time_limit_ms": 2000, **(settings or {})},
    )
    if "_memory" in ds.databases:  # Datasette adds it when started without files
        ds.remove_database("_memory")
    db_path = Path(db_path).resolve()
    database = Database(ds, path=str(db_path), is_mutable=not immutable)
    if immutable:  # like `datasette -i --inspect-file`: exact table counts computed once, not per page
        database._cached_table_counts = _table_counts(db_path)
    ds.add_database(database, name=DB_NAME)
    ds._podium_root = db_path.parent  # media paths are relative to the database
    return ds
