"""Datasette plugin: serves each meeting's web copy at /media/<id>, with HTTP Range.

Browsers need Range answers (206) to seek in <audio>; Datasette's static files
do not give them, Starlette's FileResponse does. Only files registered in the
archive are served: the request names a meeting ID, never a path.
"""

from __future__ import annotations

import re
from pathlib import Path

from datasette import Response, hookimpl

from . import DB_NAME

_ID = re.compile(r"^[A-Za-z0-9_-]+$")


async def media(scope, receive, send, datasette, request):
    from starlette.responses import FileResponse

    meeting_id = request.url_vars["id"]
    if not _ID.match(meeting_id) or DB_NAME not in datasette.databases:
        await Response.text("Not found", status=404).asgi_send(send)
        return
    db = datasette.get_database(DB_NAME)
    row = (await db.execute("select media_path from meetings where id = ?", [meeting_id])).first()
    root = getattr(datasette, "_podium_root", None) or Path(db.path).parent
    path = (root / row["media_path"]).resolve() if row and row["media_path"] else None
    if path is None or not path.is_file() or not path.is_relative_to(root / "media"):
        await Response.text("Not found", status=404).asgi_send(send)
        return
    response = FileResponse(path, media_type="audio/mpeg", headers={"Cache-Control": "public, max-age=3600"})
    await response(scope, receive, send)


@hookimpl
def register_routes():
    return [(r"^/media/(?P<id>[^/]+)$", media)]
