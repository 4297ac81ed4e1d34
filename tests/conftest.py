import hashlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import wave
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from unittest import mock

import pytest

ROOT = Path(__file__).resolve().parent.parent  # the repository
FIXTURES = ROOT / "tests" / "fixtures"  # our own recordings and texts, in the repository: a clone tests itself
# other projects' recordings (AISHELL, JFK, LJ Speech, ...), beside the repository and never copied into it; CI
# has them. A test that needs one asks `shared(name)`, and is skipped with the reason where they are absent.
SHARED = ROOT.parent / "shared" / "fixtures"


def shared(name: str) -> Path:
    """The folder ../shared/fixtures/<name>, or the test that asks for it skipped, saying why."""
    folder = SHARED / name
    if not folder.is_dir():
        pytest.skip(f"needs {folder} (third-party recordings, kept beside the repository, not in it)")
    return folder


# --- the test session writes under its temporary directory only ---------------------------------------------

MODELS: Path | None = None  # the converted model weights every transcript cache of the session uses


@pytest.fixture(scope="session", autouse=True)
def podium_cache(request, tmp_path_factory):
    """HOME, the XDG folders and Podium's cache point into the session's temporary directory, for this
    process and every process it starts (podium ingest, podium serve, Dask workers, Chromium): the tests
    write nothing into the user's home. The transcript cache is new, so every run transcribes for real.

    Converted model weights: the fast tier converts none, and gets an empty models folder of its own. A
    session that runs slow tests (real Whisper) shares the user's converted models instead (models/ here
    links to them): converting the packaged weights takes a minute and a few hundred MB, and is not what
    those tests test (tests/test_weights.py converts into a folder of its own). Only there may a slow
    session write into the user's cache: the first conversion, when the user has none yet."""
    global MODELS
    from hypothesis.configuration import set_hypothesis_home_dir

    from podium.ingest.paths import cache_dir

    slow = any(item.get_closest_marker("slow") for item in request.session.items)
    user_models = cache_dir() / "models" if slow else None  # read before HOME moves
    session = tmp_path_factory.mktemp("session")
    home = session / "home"
    cache = session / "podium-cache"
    with pytest.MonkeyPatch.context() as env:
        for name, path in (("HOME", home), ("XDG_CACHE_HOME", home / ".cache"), ("XDG_CONFIG_HOME", home / ".config"),
                           ("XDG_DATA_HOME", home / ".local" / "share"), ("XDG_STATE_HOME", home / ".local" / "state"),
                           ("PODIUM_CACHE_DIR", cache)):
            path.mkdir(parents=True, exist_ok=True)
            env.setenv(name, str(path))
        MODELS = cache / "models"
        if user_models is not None:
            user_models.mkdir(parents=True, exist_ok=True)
            MODELS.symlink_to(user_models, target_is_directory=True)
        else:
            MODELS.mkdir()
        set_hypothesis_home_dir(session / "hypothesis")  # its example database, not .hypothesis/ in the checkout
        try:
            yield cache
        finally:
            set_hypothesis_home_dir(None)
            MODELS = None


@contextmanager
def fresh_cache(directory: Path):
    """PODIUM_CACHE_DIR pointed at the transcript cache in `directory` (empty when new) for the duration,
    with the session's converted models (see `podium_cache`)."""
    if not (directory / "models").exists():
        (directory / "models").symlink_to(MODELS, target_is_directory=True)
    with mock.patch.dict(os.environ, {"PODIUM_CACHE_DIR": str(directory)}):
        yield directory


# --- recordings of our own, cut or made at test time ------------------------------------------------------------

@dataclass(frozen=True)
class Clip:
    """A short recording with its official text and where each paragraph's voice lies in it (seconds)."""

    audio: Path
    text: Path
    spans: dict[int, tuple[float, float]]  # paragraph (0 is the title line) → its voice's (start, end)

    def paragraph(self, seq: int) -> str:
        return [line for line in self.text.read_text(encoding="utf-8").splitlines() if line.strip()][seq]


@lru_cache(maxsize=1)
def seed_truth() -> dict:
    return json.loads((FIXTURES / "seed" / "seed_plain_truth.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _seed_samples():
    from podium.ingest.audio import decode

    return decode(FIXTURES / "seed" / "seed_plain.mp3")


SEED_TITLE = "乡镇党委书记座谈会发言（节选）"  # a title of our own: the clips never hold the seed's spoken title
# three sentences of the seed speech's paragraph 4 said one after the other (18 s), one paragraph each: the
# site archive's Chinese meeting and the real-Whisper ingests'
SEED_SENTENCES = ((4, 0), (4, 1), (4, 2))


def seed_clip(folder: Path, name: str = "seed", sentences=SEED_SENTENCES, title: str = SEED_TITLE,
              margin: float = 0.5) -> Clip:
    """A clip of the seed speech (seed_plain.mp3, our synthetic voice) holding the given consecutive
    sentences (paragraph, sentence) and `margin` seconds of its silence either side, as 16 kHz mono WAV
    (the same bytes every run), and an official text of its own: `title` (not spoken), then one paragraph
    per sentence. Written into `folder` as <name>.wav and <name>.txt."""
    from podium.ingest.audio import SAMPLE_RATE

    by_key = {(s["paragraph"], s["sentence"]): s for s in seed_truth()["sentences"]}
    said = [by_key[key] for key in sentences]
    start = said[0]["start"] - margin
    samples = _seed_samples()[round(start * SAMPLE_RATE):round((said[-1]["end"] + margin) * SAMPLE_RATE)]
    folder.mkdir(parents=True, exist_ok=True)
    audio, text = folder / f"{name}.wav", folder / f"{name}.txt"
    with wave.open(str(audio), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(samples.astype("<i2").tobytes())
    text.write_text("\n".join([title, ""] + [s["official"] for s in said]) + "\n", encoding="utf-8")
    spans = {k: (round(s["start"] - start, 3), round(s["end"] - start, 3)) for k, s in enumerate(said, start=1)}
    return Clip(audio, text, spans)


# An English official text of our own. No recording of it is in the repository (the English recordings are
# other projects', in ../shared): `english_clip` sets it over a tone, for the tests that need no Whisper.
ENGLISH_TEXT = ("Welcome to the archive, where every meeting is kept with the words its speakers said and the "
                "moment they said them.")
ENGLISH_SPAN = (0.3, 10.5)  # where the tone lies in the 11 s recording


def english_clip(folder: Path, name: str = "en") -> Clip:
    """ENGLISH_TEXT (its only line, so also its title) and 11 s of a 44.1 kHz stereo FLAC made by ffmpeg:
    a tone with a syllable-like swell over ENGLISH_SPAN, silence around it. Not speech: for tests that
    write a meeting from known spans (`write_meeting_from_spans`), never for Whisper."""
    from podium.ingest.audio import ffmpeg_binary

    folder.mkdir(parents=True, exist_ok=True)
    audio, text = folder / f"{name}.flac", folder / f"{name}.txt"
    start, end = ENGLISH_SPAN
    tone = f"0.3*sin(2*PI*180*t)*(0.6+0.4*sin(2*PI*4*t))*gte(t,{start})*lt(t,{end})"
    subprocess.run([ffmpeg_binary(), "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"aevalsrc='{tone}|{tone}':s=44100:d=11", "-c:a", "flac", "-bitexact", str(audio)], check=True)
    text.write_text(ENGLISH_TEXT + "\n", encoding="utf-8")
    return Clip(audio, text, {0: ENGLISH_SPAN})


@pytest.fixture(scope="session")
def seed(tmp_path_factory) -> Clip:
    """The seed clip of SEED_SENTENCES (see `seed_clip`), written once for the session."""
    return seed_clip(tmp_path_factory.mktemp("seed-clip"))


@pytest.fixture(scope="session")
def english(tmp_path_factory) -> Clip:
    return english_clip(tmp_path_factory.mktemp("english"))


@pytest.fixture(scope="session")
def jfk() -> Clip:
    """JFK's "ask not" passage (11 s, openai/whisper's test file) from ../shared; skipped where absent.
    No timings: "Americans" is said around 1.8 s, the passage ends before 11 s."""
    folder = shared("en_jfk")
    return Clip(folder / "jfk.flac", folder / "official.txt", {})


def aishell_clip() -> Clip:
    """Three AISHELL utterances (real human Mandarin, 17.4 s) in ../shared, titled "AISHELL 样例" (not
    spoken). Each paragraph's span is its clip's (which includes the clip's own short silences)."""
    folder = SHARED / "zh_aishell"
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    return Clip(folder / "audio.wav", folder / "official.txt",
                {p["index"]: (p["start"], p["end"]) for p in truth["paragraphs"]})


@pytest.fixture(scope="session")
def aishell() -> Clip:
    """`aishell_clip`, or the test skipped where ../shared is absent."""
    shared("zh_aishell")
    return aishell_clip()


def podium(*args, cwd):
    """Run the `podium` command line in a new process, as a user would."""
    return subprocess.run([sys.executable, "-m", "podium", *args], cwd=cwd, capture_output=True, text=True)


@contextmanager
def running_server(db_path: Path, *options: str):
    """`podium serve` on a free loopback port, for as long as the block runs; yields its base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "podium", "serve", "--db", str(db_path), "--port", str(port),
                             *options], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            if proc.poll() is not None:  # it died: say so now, not after the deadline
                raise RuntimeError(f"podium serve --db {db_path} exited with {proc.returncode} before it listened")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES


def write_meeting_from_spans(db_path: Path, meeting: dict, audio: Path, text: Path,
                             spans: dict[int, tuple[float, float]]) -> None:
    """Write a meeting without Whisper: each paragraph's words spread evenly over its known span, aligned
    and stored through the same code as a real ingest (aligner, schema rows, store, web copy)."""
    from podium import schema
    from podium.alignment import Word, align, detect_language
    from podium.ingest import audio as audio_io
    from podium.ingest import store

    official = text.read_text(encoding="utf-8")
    language = detect_language(official)
    lines = [line.strip() for line in official.splitlines() if line.strip()]
    words = []
    for seq, (start, end) in sorted(spans.items()):
        pieces = lines[seq].split() if language == "en" else [c for c in lines[seq] if c.isalnum()]
        step = (end - start) / len(pieces)
        words += [Word(w, start + k * step, start + (k + 1) * step) for k, w in enumerate(pieces)]
    alignment = align(official, words, language=language)
    media_path = f"media/{meeting['id']}-{audio_io.sha256_file(audio)[:12]}.mp3"  # named as ingest names it
    (db_path.parent / "media").mkdir(exist_ok=True)
    audio_io.write_web_copy(audio, db_path.parent / media_path)
    meeting = {"title": lines[0], "language": language, "official_text": official, "engine": "none",
               "media_path": media_path, "source_path": audio.name, "matched_share": alignment.matched_share,
               "duration": len(audio_io.decode(audio)) / audio_io.SAMPLE_RATE, **meeting}
    store.write_meeting(db_path, schema.meeting_rows(meeting, schema.one_speech(meeting), alignment))


HOSTILE_TITLE = '<script>alert(1)</script>"><img src=x onerror=alert(2)> & co'
SITE_SPEAKER = "县委书记"


@pytest.fixture(scope="session")
def site_archive(tmp_path_factory, seed, english) -> Path:
    """A small archive written through the schema module without Whisper, from our own material only: the
    seed clip as meeting "seed" (its three sentences at their true spans, a hostile title, a date and a
    speaker) and the English text over its tone as meeting "en". For the site, export and browser tests."""
    db = tmp_path_factory.mktemp("site") / "my-archive.db"
    write_meeting_from_spans(db, {"id": "seed", "date": "2024-05-01", "speaker": SITE_SPEAKER, "title": HOSTILE_TITLE},
                             seed.audio, seed.text, seed.spans)
    write_meeting_from_spans(db, {"id": "en", "date": "2023-11-20"}, english.audio, english.text, english.spans)
    return db


@pytest.fixture(scope="session")
def ingested(tmp_path_factory, seed) -> tuple:
    """The seed clip ingested for real (base model) as meeting "seed", and JFK's passage from ../shared as
    "jfk" where ../shared is there, with a transcript cache of its own so that its first ingest transcribes.
    Returns (db, the seed's result, JFK's result or None, that cache's folder).
    Tests that change the archive work on a copy (`copy_archive`)."""
    from podium.ingest.pipeline import IngestOptions, ingest

    db = tmp_path_factory.mktemp("ingested") / "archive.db"
    cache = tmp_path_factory.mktemp("ingested-cache")
    with fresh_cache(cache):
        first = ingest(seed.audio, seed.text, db,
                       IngestOptions(meeting_id="seed", date="2024-05-01", speakers=(SITE_SPEAKER,)), progress=False)
        jfk = None
        if (SHARED / "en_jfk").is_dir():
            jfk = ingest(SHARED / "en_jfk" / "jfk.flac", SHARED / "en_jfk" / "official.txt", db, progress=False)
    return db, first, jfk, cache


def copy_archive(db: Path, to: Path, name: str = "archive.db") -> Path:
    """A copy of an archive, as `name`, and its media folder in the folder `to`."""
    to.mkdir(parents=True, exist_ok=True)
    shutil.copy(db, to / name)
    if (db.parent / "media").exists():
        shutil.copytree(db.parent / "media", to / "media", dirs_exist_ok=True)
    return to / name


def db_rows(db: Path, sql: str, params=()) -> list[tuple]:
    """What a query finds in an archive (its rows as tuples)."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def db_row(db: Path, table: str, row_id: str) -> dict:
    """One row of an archive's table, by its ID."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return dict(conn.execute(f"select * from [{table}] where id = ?", [row_id]).fetchone())
    finally:
        conn.close()


def archive_checksum(db_path: Path) -> str:
    """A checksum of every row of every table (and of the file's absence)."""
    if not db_path.exists():
        return "absent"
    digest = hashlib.sha256()
    conn = sqlite3.connect(db_path)
    for (table,) in conn.execute("select name from sqlite_master where type = 'table' order by name"):
        digest.update(table.encode())
        for row in sorted(repr(r) for r in conn.execute(f"select * from [{table}]")):
            digest.update(row.encode())
    conn.close()
    return digest.hexdigest()


COUNTY_MEETINGS = 40  # every year 2016-2026 has a few; a handful of speakers give most speeches


@pytest.fixture(scope="session")
def county_archive(tmp_path_factory) -> Path:
    """A county's archive made up by scripts/make_archive.py (seed 0): COUNTY_MEETINGS meetings of 1-3 speeches
    of 100-600 sentences, a few dozen speakers, 2016-2026, statuses and off-script passages, no audio
    (media_path NULL). Written once for the session, in a few seconds; tests read it, never change it."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_archive", ROOT / "scripts" / "make_archive.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_archive"] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    db = tmp_path_factory.mktemp("county") / "county.db"
    module.make_archive(db, COUNTY_MEETINGS, seed=0, progress=False)
    return db


# --- a real browser: Debian's headless Chromium through chromedriver --------------------------------------
CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"  # screenshots to look at


def need_chromium() -> None:
    """Skip without Chromium and its driver, except under CI (`.ci/run` installs them), where it fails."""
    if not (CHROMIUM and CHROMEDRIVER):
        if os.environ.get("CI"):
            pytest.fail("chromium and chromedriver are required in CI (.ci/run installs them)")
        pytest.skip("needs Debian's chromium and chromium-driver")


@contextmanager
def chromium(width: int = 1280, height: int = 1000):
    """A headless Chromium window of this size that reads Chinese first, for as long as the block runs."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--mute-audio", f"--window-size={width},{height}", "--lang=zh-CN"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})  # --lang is not enough headless
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver, condition: str, timeout: float = 10.0) -> None:
    """Poll a JavaScript expression in the page until it is true; fail naming it otherwise."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if driver.execute_script(f"return !!({condition});"):
            return
        time.sleep(0.05)
    pytest.fail(f"still false after {timeout} s: {condition}")
