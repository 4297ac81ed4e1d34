"""The published archive: Datasette with Podium's metadata, plugin, templates and static files.

This package is Podium's Datasette plugin (entry point `podium`): its hooks live in `plugin.py`,
and Datasette finds `static/` and `templates/` beside it, so a plain `datasette archive.db` with
Podium installed serves complete pages. `make_datasette()` is what `podium serve` runs.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from podium import schema

from . import auth
from .metadata import DB_NAME, build_metadata
from .plugin import (asgi_wrapper, extra_css_urls, extra_js_urls, extra_template_vars, menu_links,
                     permission_allowed, prepare_connection, register_routes, render_cell)

__all__ = ["DB_NAME", "make_datasette", "asgi_wrapper", "extra_css_urls", "extra_js_urls", "extra_template_vars",
           "menu_links", "permission_allowed", "prepare_connection", "register_routes", "render_cell"]


def _table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    tables = [r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")]
    return {t: conn.execute(f"select count(*) from [{t}]").fetchone()[0] for t in tables}


def make_datasette(db_path: str | Path, *, immutable: bool = False, settings: dict | None = None,
                   edit: bool = False, auth_path: str | Path | None = None,
                   session_hours: float = auth.DEFAULT_SESSION_HOURS):
    """A Datasette instance serving `db_path` as the `archive` database.

    `edit`: the editing instance (`podium serve --edit`): Datasette signs its cookies with the secret of the
    editors file at `auth_path` (default `auth.default_path()`, created if absent), so sign-ins survive a
    restart, and sign-in, sign-out and the `podium-edit` permission are on. Never with `immutable`.

    :raises schema.ArchiveVersionError: the archive is of another schema version (serving never upgrades).
    :raises auth.AuthError: editing asked of an immutable server, or the editors file misplaced or unreadable.
    """
    from datasette.app import Datasette
    from datasette.database import Database

    if edit and immutable:
        raise auth.AuthError("an immutable server never edits: serve --edit without --immutable")
    db_path = Path(db_path).resolve()
    secret = None
    if edit:
        auth_path = auth.check_location(auth_path, db_path)
        secret = auth.secret(auth_path)
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)  # not immutable: that would skip the WAL
    try:
        schema.check_servable(conn, str(db_path))
        counts = _table_counts(conn) if immutable else None
    finally:
        conn.close()
    ds = Datasette(
        secret=secret,  # None: Datasette makes a new one per start (no sign-ins on a public server anyway)
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
    if edit:
        auth.enable_editing(ds, auth_path, session_hours)
    return ds
