"""The published archive: Datasette with Podium's metadata, plugin, templates and static files.

This package is Podium's Datasette plugin (entry point `podium`): its hooks live in `plugin.py`,
and Datasette finds `static/` and `templates/` beside it, so a plain `datasette archive.db` with
Podium installed serves complete pages. `make_datasette()` is what `podium serve` runs.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from podium import schema

from .metadata import DB_NAME, build_metadata
from .plugin import (asgi_wrapper, extra_css_urls, extra_js_urls, extra_template_vars, menu_links,
                     prepare_connection, register_routes, render_cell)

__all__ = ["DB_NAME", "make_datasette", "asgi_wrapper", "extra_css_urls", "extra_js_urls", "extra_template_vars",
           "menu_links", "prepare_connection", "register_routes", "render_cell"]


def _table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    tables = [r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")]
    return {t: conn.execute(f"select count(*) from [{t}]").fetchone()[0] for t in tables}


def make_datasette(db_path: str | Path, *, immutable: bool = False, settings: dict | None = None):
    """A Datasette instance serving `db_path` as the `archive` database.

    :raises schema.ArchiveVersionError: the archive is of another schema version (serving never upgrades).
    """
    from datasette.app import Datasette
    from datasette.database import Database

    db_path = Path(db_path).resolve()
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)  # not immutable: that would skip the WAL
    try:
        schema.check_servable(conn, str(db_path))
        counts = _table_counts(conn) if immutable else None
    finally:
        conn.close()
    ds = Datasette(
        metadata=build_metadata(),
        # a public site: arbitrary SQL is read-only in Datasette; bound its time too
        settings={"truncate_cells_html": 0, "sql_time_limit_ms": 2000, **(settings or {})},
    )
    if "_memory" in ds.databases:  # Datasette adds it when started without files
        ds.remove_database("_memory")
    database = Database(ds, path=str(db_path), is_mutable=not immutable)
    if immutable:  # like `datasette -i --inspect-file`: exact table counts computed once, not per page
        database._cached_table_counts = counts
    ds.add_database(database, name=DB_NAME)
    ds._podium_root = db_path.parent  # media paths are relative to the database
    return ds
