"""A meeting's decoding settings: its identity leaves out the hardware, and settings stored by any earlier
release are read with the defaults of their time, or refused in one line."""

import json

import pytest

from podium.ingest.cache import cache_key
from podium.ingest.engines import DecodingSettings, settings_for, settings_from_record, settings_record
from podium.ingest.meeting import Inputs


def test_the_same_files_on_a_gpu_machine_are_the_same_meeting_and_find_the_same_transcript():
    cpu = settings_for("faster-whisper", "zh")
    gpu = DecodingSettings(**{**cpu.__dict__, "compute_type": "float16"})
    assert cpu.compute_type != gpu.compute_type
    assert settings_record(cpu) == settings_record(gpu)
    assert cache_key("sha", "faster-whisper", "base", cpu) == cache_key("sha", "faster-whisper", "base", gpu)
    assert settings_from_record(settings_record(cpu), cpu.compute_type) == cpu
    # the meeting ingested here, stored, is the one a GPU machine would make of the same files; other
    # decoding choices make another meeting
    here = Inputs("sha", "text", "标题", None, None, "zh", "faster-whisper", "base", cpu)
    stored = {"id": "m", "duration": 1.0, **here.columns()}
    assert Inputs("sha", "text", "标题", None, None, "zh", "faster-whisper", "base", gpu).same_as(stored)
    other = DecodingSettings(**{**cpu.__dict__, "recover_rounds": cpu.recover_rounds + 1})
    assert not Inputs("sha", "text", "标题", None, None, "zh", "faster-whisper", "base", other).same_as(stored)


@pytest.mark.parametrize("record, recover_rounds, batch_size", [
    # the first release: no version, no recovery pass, no batches; the hardware named
    ({"language": "zh", "temperature": 0.0, "vad": True, "compute_type": "int8"}, 0, None),
    # a later one, still without a version, with recovery and batches
    ({"language": "zh", "vad": True, "compute_type": "int8", "recover_rounds": 2, "batch_size": 8}, 2, 8),
])
def test_settings_of_earlier_releases_read_with_their_defaults(record, recover_rounds, batch_size):
    settings = settings_from_record(json.dumps(record))
    assert settings.recover_rounds == recover_rounds and settings.batch_size == batch_size
    assert json.loads(settings_record(settings))["version"] == 2


@pytest.mark.parametrize("text, says", [
    ('{"language": "zh", "renamed_knob": 3}', "renamed_knob"),
    ('{"version": 99, "language": "zh"}', "newer Podium"),
    ("not json", "not JSON"),
    ("[1, 2]", "not a JSON object"),
])
def test_settings_that_cannot_be_read_are_refused_in_one_line(text, says):
    with pytest.raises(ValueError, match=says) as refused:
        settings_from_record(text)
    assert "\n" not in str(refused.value)
