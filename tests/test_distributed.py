"""Transcription of a batch on a local Dask cluster of worker processes, then an ingest from the cache."""

import shutil

import pytest

from conftest import fresh_cache, podium

pytestmark = pytest.mark.slow



@pytest.fixture
def own_cache(tmp_path):
    """An empty transcript cache: other tests may have transcribed the same fixtures."""
    (tmp_path / "cache").mkdir()
    with fresh_cache(tmp_path / "cache") as cache:
        yield cache


def test_cluster_transcribes_and_ingest_merges_without_transcribing(tmp_path, fixtures, own_cache):
    batch = tmp_path / "batch"
    batch.mkdir()
    shutil.copy(fixtures / "zh_aishell" / "audio.wav", batch / "aishell.wav")
    shutil.copy(fixtures / "zh_aishell" / "official.txt", batch / "aishell.txt")
    shutil.copy(fixtures / "en_jfk" / "jfk.flac", batch / "jfk.flac")
    shutil.copy(fixtures / "en_jfk" / "official.txt", batch / "jfk.txt")

    sent = podium("transcribe", "batch", "--dask", "local:2", cwd=tmp_path)
    assert sent.returncode == 0, sent.stderr
    assert sent.stdout.count("transcribed on the cluster") == 2

    again = podium("transcribe", "batch", "--dask", "local:2", cwd=tmp_path)
    assert again.stdout.count("already in the transcript cache") == 2  # nothing is sent twice

    merged = podium("ingest", "batch", "--db", "archive.db", cwd=tmp_path)
    assert merged.returncode == 0, merged.stderr
    assert merged.stdout.count("transcript from cache") == 2  # the ingest transcribed nothing
    assert "2 of 2 recordings in the archive" in merged.stdout
