"""The speech recognisers: which engines exist, their decoding settings, loading a model once, and
running one on 16 kHz mono float32 samples."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
import json
from dataclasses import asdict, dataclass, fields
from math import ceil

import numpy as np

from podium.alignment import Word

from .paths import cache_dir

ENGINES = ("faster-whisper", "openai-whisper")  # fastest first


def default_engine() -> str:
    """The fastest engine installed: faster-whisper (CTranslate2) when it imports, else openai-whisper."""
    try:
        import faster_whisper  # noqa: F401
    except ImportError:
        return "openai-whisper"
    return "faster-whisper"


@dataclass(frozen=True)
class DecodingSettings:
    """Whisper decoding settings; all of them are part of the cache key."""

    language: str | None  # 'zh', 'en'; None lets Whisper detect it
    temperature: float | tuple[float, ...] = 0.0  # greedy, no fallback: fallback retries took minutes per window on hard audio
    beam_size: int | None = None  # greedy decoding
    condition_on_previous_text: bool = False  # conditioning feeds repetition loops on long speech
    no_speech_threshold: float | None = None  # never drop a 30 s window as silence: alignment needs every word
    word_timestamps: bool = True
    vad: bool = False  # skip silence with Silero VAD (faster-whisper only)
    # longer audio is transcribed in pieces cut at pauses, so memory stays bounded (15 minutes: 58 MB of
    # float samples and 30 MB of features); each piece ends in a part-filled batch, so not too short
    chunk_seconds: int = 900
    compute_type: str | None = None  # CTranslate2 precision (faster-whisper only): int8 on CPU, float16 on GPU
    # rounds of decoding again the voiced audio that no word covers (transcribe.recover_gaps); 0: none.
    # Whisper often drops the first words of a window, so what the first round leaves gets a second.
    recover_rounds: int = 2
    # faster-whisper only: decode this many VAD segments at once on each core (BatchedInferencePipeline);
    # None: one 30 s window after the other. On 2 CPU cores, 8 at once was 1.5x faster on the seed speech
    # and did not skip its opening, which the sequential decoder did (docs/benchmarks.md). How many
    # segments share a batch does not change the words they decode to (times may move by a 20 ms frame).
    batch_size: int | None = None


SETTINGS_VERSION = 2  # 1 (no "version"): written before recovery existed; 2: recovery, batches, no hardware
HARDWARE = ("compute_type",)  # chosen by the machine (int8 on a CPU, float16 on a GPU), not part of what was asked


def settings_record(settings: DecodingSettings) -> str:
    """The settings as a meeting and the transcript cache keep them: versioned, and without what the hardware
    chose, so the same files ingested on another machine are the same meeting and find the same transcript."""
    record = {k: v for k, v in asdict(settings).items() if k not in HARDWARE}
    return json.dumps({"version": SETTINGS_VERSION, **record}, sort_keys=True)


def settings_from_record(text: str, compute_type: str | None = None) -> DecodingSettings:
    """Settings stored by any release of Podium, with the defaults of their time for what they do not say.

    :raises ValueError: one line saying what cannot be read.
    """
    try:
        record = json.loads(text)
    except (TypeError, ValueError):
        raise ValueError(f"the stored decoding settings are not JSON: {str(text)[:60]!r}") from None
    if not isinstance(record, dict):
        raise ValueError(f"the stored decoding settings are not a JSON object: {str(text)[:60]!r}")
    version = record.pop("version", 1)
    if not isinstance(version, int) or version > SETTINGS_VERSION:
        raise ValueError(f"decoding settings of version {version!r}, written by a newer Podium")
    if version < 2:
        record = {"recover_rounds": 0, **record}  # the first release had no recovery pass
    for name in HARDWARE:
        record.pop(name, None)
    unknown = sorted(set(record) - {f.name for f in fields(DecodingSettings)})
    if unknown:
        raise ValueError(f"the stored decoding settings name {', '.join(unknown)}, which this Podium does not know")
    if isinstance(record.get("temperature"), list):  # JSON has no tuples
        record["temperature"] = tuple(record["temperature"])
    return DecodingSettings(**record, compute_type=compute_type)


def settings_for(engine: str, language: str | None) -> DecodingSettings:
    """The decoding settings Podium uses with an engine."""
    if engine == "faster-whisper":
        return DecodingSettings(language=language, vad=True, compute_type=_ct2_compute_type(), batch_size=8)
    return DecodingSettings(language=language)


def _ct2_compute_type() -> str:
    import ctranslate2

    return "float16" if ctranslate2.get_cuda_device_count() > 0 else "int8"


@dataclass
class Transcript:
    language: str
    segments: list[dict]  # Whisper's segments, each with its words
    seconds: float  # compute time of the transcription (0 when it came from the cache)
    cached: bool = False

    def words(self) -> list[Word]:
        return [
            Word(w["word"], float(w["start"]), float(w["end"]))
            for s in self.segments
            for w in s.get("words", [])
        ]


def cpu_lanes(engine: str, compute_type: str | None) -> int:
    """How many decodes an engine runs at once, each on one core. Decoding is many small operations: two
    threads on one batch kept 2 cores only 1.6 busy and spent much of the CPU time in the thread pool,
    while one half batch on each core decoded the same text 1.45x faster (docs/benchmarks.md).
    openai-whisper (PyTorch) and GPUs keep their own threading: one lane."""
    if engine != "faster-whisper" or compute_type == "float16":
        return 1
    try:
        return max(1, len(os.sched_getaffinity(0)))  # the cores this process may use (Linux)
    except AttributeError:
        return os.cpu_count() or 1


_models: dict[tuple[str, str, str | None], object] = {}  # (engine, model, compute type)


def load_model(engine: str, model: str, compute_type: str | None = None):
    """Load (once per process) the model for an engine."""
    key = (engine, model, compute_type)
    if key not in _models:
        if engine == "openai-whisper":
            from .weights import load_openai_whisper

            _models[key] = load_openai_whisper(model)
        elif engine == "faster-whisper":
            from faster_whisper import WhisperModel

            from .weights import packaged_ct2_model

            source = packaged_ct2_model(model) or model  # a name downloads from the Hugging Face hub
            device = "cuda" if compute_type == "float16" else "cpu"
            lanes = cpu_lanes(engine, compute_type)
            threads = dict(cpu_threads=1, num_workers=lanes) if lanes > 1 else {}  # CTranslate2: a worker a lane
            _models[key] = WhisperModel(str(source), device=device, compute_type=compute_type or "int8",
                                        download_root=str(cache_dir() / "models"), **threads)
        else:
            raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    return _models[key]


def _word(w) -> dict:
    return {"word": w["word"], "start": w["start"], "end": w["end"], "probability": w["probability"]}


def run_openai_whisper(samples: np.ndarray, model: str, settings: DecodingSettings, bar) -> tuple[str, list[dict]]:
    result = load_model("openai-whisper", model).transcribe(
        samples,
        language=settings.language,
        temperature=settings.temperature,
        beam_size=settings.beam_size,
        condition_on_previous_text=settings.condition_on_previous_text,
        no_speech_threshold=settings.no_speech_threshold,
        word_timestamps=settings.word_timestamps,
        fp16=False,
        verbose=None if bar.disable else False,  # False: whisper's own bar shows progress within the chunk
    )
    bar.update(len(samples) / 16000)
    segments = [
        {"start": s["start"], "end": s["end"], "text": s["text"], "words": [_word(w) for w in s.get("words", [])]}
        for s in result["segments"]
    ]
    return result["language"], segments


def faster_whisper_options(settings: DecodingSettings) -> dict:
    """The settings as keyword arguments of faster-whisper's `transcribe` (batched or not)."""
    return dict(language=settings.language, temperature=settings.temperature, beam_size=settings.beam_size or 1,
                condition_on_previous_text=settings.condition_on_previous_text,
                no_speech_threshold=settings.no_speech_threshold, word_timestamps=settings.word_timestamps,
                vad_filter=settings.vad)


def run_faster_whisper(samples: np.ndarray, model: str, settings: DecodingSettings, bar) -> tuple[str, list[dict]]:
    whisper = load_model("faster-whisper", model, settings.compute_type)
    options = faster_whisper_options(settings)
    if settings.batch_size:
        lanes = cpu_lanes("faster-whisper", settings.compute_type)
        pieces, info = lanes_pipeline(whisper, lanes).transcribe(samples, batch_size=settings.batch_size * lanes,
                                                                  **options)
    else:
        pieces, info = whisper.transcribe(samples, **options)
    segments, done = [], 0.0
    for s in pieces:  # a generator: decoding happens as it is consumed
        words = [_word({"word": w.word, "start": w.start, "end": w.end, "probability": w.probability})
                 for w in s.words or []]
        segments.append({"start": s.start, "end": s.end, "text": s.text, "words": words})
        bar.update(max(0.0, s.end - done))
        done = max(done, s.end)
    bar.update(max(0.0, len(samples) / 16000 - done))
    return info.language, segments


def lanes_pipeline(whisper, lanes: int):
    """faster-whisper's batched pipeline, with each batch cut into `lanes` parts decoded at once (one per
    CTranslate2 worker, so one per core)."""
    from faster_whisper import BatchedInferencePipeline

    if lanes == 1:
        return BatchedInferencePipeline(whisper)

    class LanesPipeline(BatchedInferencePipeline):
        def __init__(self, model):
            super().__init__(model)
            # each lane its own pipeline: the pipeline keeps the last word's time between batches
            self.lanes = [BatchedInferencePipeline(model) for _ in range(lanes)]

        def forward(self, features, tokenizer, chunks_metadata, options):
            size = ceil(len(features) / lanes)

            def lane(i: int) -> list:
                part = slice(i * size, (i + 1) * size)
                return self.lanes[i].forward(features[part], tokenizer, chunks_metadata[part], options)

            with ThreadPoolExecutor(lanes) as pool:  # CTranslate2 releases the GIL while it computes
                return [out for part in pool.map(lane, range(ceil(len(features) / size))) for out in part]

    return LanesPipeline(whisper)


RUNNERS = {"faster-whisper": run_faster_whisper, "openai-whisper": run_openai_whisper}


