"""Transcription of a batch on a local Dask cluster of worker processes, then an ingest from the cache."""

import shutil

import pytest

from conftest import fresh_cache, podium, seed_clip

pytestmark = pytest.mark.slow
LATER = ((4, 5), (4, 6), (4, 7))  # three later sentences of the seed speech: a second recording of our own



@pytest.fixture
def own_cache(tmp_path):
    """An empty transcript cache: other tests may have transcribed the same fixtures."""
    (tmp_path / "cache").mkdir()
    with fresh_cache(tmp_path / "cache") as cache:
        yield cache


def test_cluster_transcribes_and_ingest_merges_without_transcribing(tmp_path, seed, own_cache):
    batch = tmp_path / "batch"
    batch.mkdir()
    shutil.copy(seed.audio, batch / "seed.wav")
    shutil.copy(seed.text, batch / "seed.txt")
    seed_clip(batch, name="later", sentences=LATER)
    n = 2

    sent = podium("transcribe", "batch", "--dask", "local:2", cwd=tmp_path)
    assert sent.returncode == 0, sent.stderr
    assert sent.stdout.count("transcribed on the cluster") == n

    again = podium("transcribe", "batch", "--dask", "local:2", cwd=tmp_path)
    assert again.stdout.count("already in the transcript cache") == n  # nothing is sent twice

    merged = podium("ingest", "batch", "--db", "archive.db", cwd=tmp_path)
    assert merged.returncode == 0, merged.stderr
    assert merged.stdout.count("transcript from cache") == n  # the ingest transcribed nothing
    assert f"{n} of {n} recordings in the archive" in merged.stdout
