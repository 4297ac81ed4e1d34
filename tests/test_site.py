"""The published archive, in process: metadata, tables, and the media route with HTTP Range."""

import pytest

from ingest.pipeline import ingest
from publish import make_datasette

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory, fixtures):
    db = tmp_path_factory.mktemp("site") / "my-archive.db"
    ingest(fixtures / "zh_aishell" / "audio.wav", fixtures / "zh_aishell" / "official.txt", db,
           meeting_id="aishell", progress=False)
    return make_datasette(db), db


async def test_archive_is_published_as_archive_with_our_metadata(site):
    ds, _ = site
    home = await ds.client.get("/")
    assert home.status_code == 200 and "Podium" in home.text
    data = (await ds.client.get("/archive/paragraphs.json?_shape=array&meeting_id=aishell&_sort=seq")).json()
    assert [p["seq"] for p in data] == [0, 1, 2, 3]
    search = (await ds.client.get("/archive/paragraphs.json?_search=社会热点&_shape=array")).json()
    assert [p["seq"] for p in search] == [3]


async def test_media_route_answers_ranges(site):
    ds, db = site
    size = len((db.parent / "media").glob("aishell-*.mp3").__next__().read_bytes())
    full = await ds.client.get("/media/aishell")
    assert full.status_code == 200 and len(full.content) == size
    assert full.headers["accept-ranges"] == "bytes" and full.headers["content-type"] == "audio/mpeg"
    part = await ds.client.get("/media/aishell", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and len(part.content) == 100
    assert part.headers["content-range"] == f"bytes 100-199/{size}"
    suffix = await ds.client.get("/media/aishell", headers={"Range": "bytes=-50"})
    assert suffix.status_code == 206 and len(suffix.content) == 50
    bad = await ds.client.get("/media/aishell", headers={"Range": f"bytes={size + 10}-"})
    assert bad.status_code == 416


@pytest.mark.parametrize("path", ["/media/nope", "/media/..%2Fmy-archive.db", "/media/%2Fetc%2Fpasswd", "/media/%2E%2E", "/media/aishell%00"])
async def test_media_route_serves_only_archived_media(site, path):
    ds, _ = site
    response = await ds.client.get(path)
    assert response.status_code == 404
