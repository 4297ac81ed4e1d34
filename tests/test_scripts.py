"""Scripts that cannot rot: every script in scripts/ runs in its smoke mode (`--smoke`: tiny inputs, seconds) in a
process of its own, as a person runs it, and prints its table. Each writes only under the temporary directory
it is given (TMPDIR) and reads other projects' recordings only from ../shared/fixtures, saying so when they are
absent. And no script or test reaches into package code by a private name."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
SHARED_FIXTURES = ROOT.parent / "shared" / "fixtures"
HELPERS = {"benchmark_common.py"}  # imported by the others, not run
# every script in scripts/ (but HELPERS), and a piece of the table its smoke run prints
SMOKES = {
    "benchmark_alignment.py": "+ edges snapped to pauses",
    "benchmark_batch.py": "dask local:1 + ingest",
    "benchmark_engines.py": "| faster-whisper (default: lanes, batched 8, recovery) |",
    "benchmark_export.py": "| term | hits (search page) | CSV rows | same |",
    "benchmark_lanes.py": "| lanes, huge pages (Podium) |",
    "benchmark_long.py": "peak RSS MB",
    "benchmark_meeting_page.py": "budget 300 ms (median wall): OK",
    "benchmark_rooms.py": "| noise 10 dB |",
    "benchmark_search.py": "/search 5 char",
    "benchmark_site.py": "| request | n | failed | p50 ms | p95 ms | target p95 ms | within |",
    "benchmark_skips.py": "| draw | cut | room | skips found |",
    "crawl_site.py": "  page 200: ",
    "benchmark_voices.py": "| zh_aishell (17.4 s) | Podium default |",
    "load_test.py": "audio range",
    "make_archive.py": "| meetings | speeches | sentences | off-script | seconds | MB |",
    "make_metadata.py": "metadata.json in the repository is",
}
THIRD_PARTY = {"benchmark_voices.py": "zh_aishell"}  # the recording a smoke run reads from ../shared/fixtures


@pytest.mark.parametrize("script", sorted(p.name for p in SCRIPTS.glob("*.py") if p.name not in HELPERS))
def test_smoke_run(script, tmp_path):
    assert script in SMOKES, f"scripts/{script}: give it a --smoke mode and its table's header in SMOKES here"
    scratch, work = tmp_path / "tmp", tmp_path / "cwd"
    scratch.mkdir()
    work.mkdir()
    done = subprocess.run([sys.executable, str(SCRIPTS / script), "--smoke"], cwd=work,
                          env={**os.environ, "TMPDIR": str(scratch)}, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    if script in THIRD_PARTY and not (SHARED_FIXTURES / THIRD_PARTY[script]).is_dir():
        assert "skipped: " in done.stdout and str(SHARED_FIXTURES) in done.stdout
    else:
        assert SMOKES[script] in done.stdout, done.stdout[-3000:]
    assert not list(work.iterdir()), "a smoke run wrote into its working directory"


def private_imports(path: Path) -> list[str]:
    """`from podium… import _name` and `import podium._module` in a file (dunder names such as __main__ aside)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "podium":
            parts = node.module.split(".") + [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            parts = [p for a in node.names if a.name.split(".")[0] == "podium" for p in a.name.split(".")]
        else:
            continue
        private = [p for p in parts if p.startswith("_") and not p.endswith("__")]
        found += [f"{path.relative_to(ROOT)}:{node.lineno}: {p}" for p in private]
    return found


def test_no_script_or_test_imports_a_private_name():
    files = sorted([*SCRIPTS.glob("*.py"), *(ROOT / "tests").glob("*.py")])
    assert [f for path in files for f in private_imports(path)] == []


def load_make_archive():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_archive", SCRIPTS / "make_archive.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_archive"] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_make_archive_writes_what_store_writes(tmp_path):
    """make_archive's many meetings a transaction give the archive that store.write_meeting gives meeting by
    meeting from the same rows: every table, the history but its clock time, and both search indexes; and its
    paragraphs and sentences are the ones the aligner's splitter finds in the official text."""
    import sqlite3

    from podium import schema
    from podium.alignment import split_text
    from podium.ingest import store

    make_archive = load_make_archive()
    batched, one_by_one = tmp_path / "batched.db", tmp_path / "one-by-one.db"
    make_archive.make_archive(batched, 3, seed=7, progress=False)
    writer = make_archive.Writer(7, 3)
    meetings = [writer.meeting(index, meeting_id, date) for index, meeting_id, date in writer.all_meetings()]
    for rows in meetings:
        store.write_meeting(one_by_one, rows)

    def read(db: Path) -> dict:
        conn = sqlite3.connect(db)
        tables = {t: conn.execute(f"select rowid, * from [{t}] order by rowid").fetchall()
                  for t in ("meetings", "speeches", "paragraphs", "sentences", "unscripted")}
        tables["changes"] = conn.execute("select action, meeting_id, table_name, row_id, field, old, new, editor, "
                                         "machine from changes order by id").fetchall()
        for table in ("paragraphs", "sentences", "unscripted"):
            for term in ("工作", "安全", "落实", "会", "责任制", "同志们"):
                tables[f"{table} {term}"] = [
                    conn.execute(f"select rowid from [{table}_chars] where [{table}_chars] match ? order by rowid",
                                 [schema.char_phrase(term)]).fetchall(),
                    conn.execute(f"select rowid from [{table}_fts] where [{table}_fts] match ? order by rowid",
                                 [f'"{term}"']).fetchall() if len(term) >= 3 else None]
            conn.execute(f"insert into [{table}_fts] ([{table}_fts]) values ('integrity-check')")
            conn.execute(f"insert into [{table}_chars] ([{table}_chars]) values ('integrity-check')")
        conn.close()
        return tables

    got, expected = read(batched), read(one_by_one)
    assert got.keys() == expected.keys()
    for name in got:
        assert got[name] == expected[name], name
    assert any(got[f"sentences {term}"][0] for term in ("工作", "落实"))
    for rows in meetings:
        paragraphs, sentences = split_text(rows.meeting["official_text"])
        text = rows.meeting["official_text"]
        assert [text[p.start:p.end] for p in paragraphs] == [p["text"] for p in rows.paragraphs]
        assert [(s.paragraph_seq, s.seq, text[s.start:s.end]) for s in sentences] == \
            [(s["paragraph_seq"], s["seq"], s["text"]) for s in rows.sentences]


def test_make_archive_is_the_same_for_a_seed():
    make_archive = load_make_archive()
    first, second, other = make_archive.Writer(3, 4), make_archive.Writer(3, 4), make_archive.Writer(4, 4)
    assert first.people == second.people and first.dates == second.dates
    assert [first.meeting(*m) for m in first.all_meetings()] == [second.meeting(*m) for m in second.all_meetings()]
    assert first.people != other.people
