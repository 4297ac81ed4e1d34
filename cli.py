"""`podium`: a thin command line over the Python API."""

from __future__ import annotations

import json
import sqlite3
import sys
from importlib import resources
from pathlib import Path

import click

from podium import schema
from podium.ingest import export
from podium.ingest.engines import ENGINES
from podium.ingest.pipeline import IngestError, IngestOptions, IngestResult, ingest, realign

DB_OPTION = click.option("--db", "db_path", default="archive.db", show_default=True,
                         type=click.Path(dir_okay=False, path_type=Path), help="The archive database.")


def _summary(result: IngestResult) -> str:
    if result.action == "unchanged":
        return f"{result.meeting_id}: already ingested with the same inputs; nothing to do"
    if result.action == "media restored":
        return f"{result.meeting_id}: already ingested with the same inputs; its missing web copy written again"
    source = "cache" if result.transcript_cached else f"{result.transcribe_seconds:.1f} s"
    return (
        f"{result.meeting_id}: {result.action} — {result.duration:.1f} s of audio, transcript from {source}, "
        f"{result.sentences} sentences ({result.not_spoken} not spoken), {result.unscripted} off-script "
        f"passage{'' if result.unscripted == 1 else 's'}; done in {result.total_seconds:.1f} s"
    )


def _report(result: IngestResult) -> None:
    click.echo(_summary(result))
    for conflict in result.conflicts:  # kept in the history too; the person's value stands
        click.echo(f"  conflict kept as corrected: {conflict}")


@click.group()
@click.version_option(package_name="podium")
def main() -> None:
    """Podium: official texts of spoken meetings aligned to their recordings."""


@main.command(name="ingest")
@click.argument("audio", type=click.Path(path_type=Path))
@click.option("--text", "texts", type=click.Path(path_type=Path), multiple=True,
              help="The official text (.txt, .docx, .pdf or .html); once per speech when the recording holds "
                   "several, in the order spoken. Not for a folder or manifest.")
@DB_OPTION
@click.option("--id", "meeting_id", help="Meeting ID (letters, digits, - and _); default: from the audio file name.")
@click.option("--title", help="Default: the first line of the text.")
@click.option("--date", help="YYYY-MM-DD.")
@click.option("--speaker", "speakers", multiple=True,
              help="The speaker of the speech of the n-th --text (repeat it as --text is repeated).")
@click.option("--language", type=click.Choice([*schema.LANGUAGES, "auto"]), default="auto", show_default=True,
              help="auto: from the official text.")
@click.option("--model", default="base", show_default=True, help="Whisper model name.")
@click.option("--engine", type=click.Choice(ENGINES), default=None,
              help="Default: the fastest installed (faster-whisper, else openai-whisper).")
@click.option("--replace", is_flag=True, help="Replace a meeting already ingested under this ID with other inputs "
              "(the people's corrections are kept when the audio is the same).")
@click.option("--discard-corrections", is_flag=True, help="With --replace: start over without the people's corrections.")
@click.option("--quiet", is_flag=True, help="No progress output.")
def ingest_command(audio, texts, db_path, meeting_id, title, date, speakers, language, model, engine, replace,
                   discard_corrections, quiet):
    """Ingest a recording AUDIO and its official text (or the texts of its speeches) into the archive.

    AUDIO may also be a folder (each recording with the text of the same name beside it, the ID from the
    file name) or a manifest (.csv or .jsonl with columns audio, text, id, title, date, speaker, language;
    paths relative to it; rows with the same audio are the speeches of one recording): everything not yet
    in the archive is ingested, a bad file is reported and skipped, and a batch that was stopped resumes
    where it stopped.
    """
    options = IngestOptions(meeting_id=meeting_id, title=title, date=date, speakers=speakers, language=language,
                            model=model, engine=engine, replace=replace, discard_corrections=discard_corrections)
    if audio.is_dir() or audio.suffix.lower() in (".csv", ".jsonl", ".json"):
        if texts or meeting_id or title:
            raise click.UsageError("--text, --id and --title are per recording: put them in a manifest")
        _ingest_batch(audio, db_path, quiet, options)
        return
    if not texts:
        raise click.UsageError("give the official text with --text")
    if len(speakers) > len(texts):
        raise click.UsageError("one --speaker per --text at most: the n-th speaker gave the n-th text's speech")
    try:
        result = ingest(audio, list(texts), db_path, options, progress=not quiet)
    except (IngestError, schema.ArchiveVersionError) as e:
        raise click.ClickException(str(e)) from e
    _report(result)


def _ingest_batch(path: Path, db_path: Path, quiet: bool, options: IngestOptions) -> None:
    from tqdm import tqdm

    from podium.ingest.batch import ManifestError, ingest_batch, items_from_path

    try:
        items = items_from_path(path)
    except ManifestError as e:
        raise click.ClickException(str(e)) from e
    failed = done = 0
    with tqdm(total=len(items), unit="file", desc="batch", disable=quiet) as bar:
        try:
            for outcome in ingest_batch(items, db_path, options, progress=not quiet):
                bar.update(1)
                if outcome.error:
                    failed += 1
                    tqdm.write(f"FAILED {outcome.error}")
                else:
                    done += 1
                    tqdm.write(_summary(outcome.result))
        except KeyboardInterrupt:
            tqdm.write(f"interrupted after {done + failed} of {len(items)}; run the same command to resume")
            raise SystemExit(130)
    click.echo(f"{done} of {len(items)} recordings in the archive, {failed} failed")
    if failed:
        raise SystemExit(1)


@main.command(name="transcribe")
@click.argument("batch", type=click.Path(exists=True, path_type=Path))
@click.option("--dask", "scheduler", required=True,
              help="A Dask scheduler address (tcp://host:8786), or local:N for N worker processes here.")
@click.option("--language", type=click.Choice([*schema.LANGUAGES, "auto"]), default="auto", show_default=True)
@click.option("--model", default="base", show_default=True)
@click.option("--engine", type=click.Choice(ENGINES), default=None, help="Default: the fastest installed.")
def transcribe_command(batch, scheduler, language, model, engine):
    """Transcribe a folder or manifest BATCH on a Dask cluster into the transcript cache.

    Then `podium ingest BATCH` aligns and writes everything here from the cache, transcribing nothing.
    """
    from distributed import Client, LocalCluster

    from podium.ingest.batch import ManifestError, items_from_path
    from podium.ingest.distributed import transcribe_batch

    try:
        items = items_from_path(batch)
    except ManifestError as e:
        raise click.ClickException(str(e)) from e
    if scheduler.startswith("local:"):
        cluster = LocalCluster(n_workers=int(scheduler.split(":", 1)[1]), threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    else:
        cluster, client = None, Client(scheduler)
    failed = 0
    try:
        for item, what in transcribe_batch(items, client, engine=engine, model=model, language=language):
            failed += what.startswith("FAILED")
            click.echo(f"{item.audio.name}: {what}")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    click.echo(f"{len(items) - failed} of {len(items)} transcripts in the cache; now run: podium ingest {batch}")
    if failed:
        raise SystemExit(1)


@main.command(name="align")
@click.argument("meeting_id")
@DB_OPTION
@click.option("--text", type=click.Path(path_type=Path), help="A corrected official text; default: the stored one.")
@click.option("--discard-corrections", is_flag=True, help="Start over without the people's corrections, on purpose.")
def align_command(meeting_id, db_path, text, discard_corrections):
    """Align meeting MEETING_ID again from its cached transcript (no transcription), keeping every
    correction a person made; conflicts between the machine and a person are listed."""
    try:
        _report(realign(db_path, meeting_id, text, discard_corrections=discard_corrections))
    except (IngestError, schema.ArchiveVersionError) as e:
        raise click.ClickException(str(e)) from e


def _serve(db_path: Path, host: str, port: int, immutable: bool = False, edit: bool = False,
           auth_path: Path | None = None, session_hours: float = 12.0) -> None:
    import uvicorn

    from podium.publish import auth, make_datasette

    if not db_path.exists():
        raise click.ClickException(f"{db_path}: no archive here; ingest a recording first")
    try:
        ds = make_datasette(db_path, immutable=immutable, edit=edit, auth_path=auth_path, session_hours=session_hours)
    except (schema.ArchiveVersionError, auth.AuthError) as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"Serving {db_path} at http://{host}:{port}/  (Ctrl-C to stop)")
    if edit:
        path = auth_path or auth.default_path()
        names = auth.editor_names(path)
        click.echo(f"Editing server: editors sign in at http://{host}:{port}{auth.SIGN_IN_PATH} "
                   f"({len(names)} editor{'' if len(names) == 1 else 's'} in {path})")
        if not names:
            click.echo("No editors yet: add one with `podium editors add NAME`", err=True)
        if host not in ("127.0.0.1", "localhost", "::1"):
            click.echo(f"Warning: the editing server listens on {host}, not only this machine: serve it over HTTPS",
                       err=True)
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning")


AUTH_OPTION = click.option("--auth", "auth_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
                           help="The editors file (password hashes and the signing secret; never inside the "
                                "archive's folder). Default: $XDG_CONFIG_HOME/podium/editors.json.")


@main.command(name="serve")
@DB_OPTION
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--immutable", is_flag=True,
              help="Read-only deployment: open the database immutable and count rows once at start.")
@click.option("--edit", is_flag=True, help="The editing instance: editors sign in and correct the archive.")
@AUTH_OPTION
@click.option("--session-hours", type=click.FloatRange(min=0, min_open=True), default=12.0, show_default=True,
              help="With --edit: how long a sign-in lasts.")
def serve_command(db_path, host, port, immutable, edit, auth_path, session_hours):
    """Publish the archive with Datasette (always as the database named `archive`).

    With --edit, the editing instance (keep it on this machine, the default --host, or behind HTTPS); without
    it, and always with --immutable, no one can edit.
    """
    if edit and immutable:
        raise click.UsageError("--edit and --immutable exclude each other: an immutable server never edits")
    if not edit and (auth_path or session_hours != 12.0):
        raise click.UsageError("--auth and --session-hours go with --edit")
    _serve(db_path, host, port, immutable, edit=edit, auth_path=auth_path, session_hours=session_hours)


@main.group(name="editors")
def editors_group():
    """Who may correct the archive on the editing server (`podium serve --edit`)."""


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    return sys.stdin.readline().rstrip("\r\n")


@editors_group.command(name="add")
@click.argument("name")
@AUTH_OPTION
@click.option("--replace", is_flag=True, help="Set a new password for an existing editor (their sign-ins end).")
def editors_add(name, auth_path, replace):
    """Add editor NAME; the password is asked twice at a terminal, else read as one line from standard input."""
    from podium.publish import auth

    try:
        path = auth.check_location(auth_path)
        auth.check_name(name)
        path = auth.add_editor(name, _read_password(), path, replace=replace)
    except auth.AuthError as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"{name}: {'new password set' if replace else 'added'} in {path}")


@editors_group.command(name="list")
@AUTH_OPTION
def editors_list(auth_path):
    """The editors' names, one a line."""
    from podium.publish import auth

    try:
        path = auth.check_location(auth_path)
        names = auth.editor_names(path)
    except auth.AuthError as e:
        raise click.ClickException(str(e)) from e
    for name in names:
        click.echo(name)
    if not names:
        click.echo(f"no editors in {path}; add one with `podium editors add NAME`", err=True)


@editors_group.command(name="remove")
@click.argument("name")
@AUTH_OPTION
def editors_remove(name, auth_path):
    """Remove editor NAME: their sign-ins stop giving the right to edit at once."""
    from podium.publish import auth

    try:
        path = auth.remove_editor(name, auth.check_location(auth_path))
    except auth.AuthError as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"{name}: removed from {path}")


@main.command(name="publish")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@DB_OPTION
def publish_command(out_dir, db_path):
    """Write a clean read-only copy of the archive into OUT_DIR, for `podium serve --immutable`.

    The copy (VACUUM INTO) leaves out what only editors see (struck off-script passages), its search indexes
    rebuilt, with the meetings' web copies in OUT_DIR/media/ and the whole corpus to download in
    OUT_DIR/download/ (the database, every public table as CSV in a zip, a manifest; listed at /download).
    No password, hash or secret is in the archive.
    """
    from podium.publish.copy import PublishError, publish_copy

    try:
        result = publish_copy(db_path, out_dir)
    except (PublishError, schema.ArchiveVersionError) as e:
        raise click.ClickException(str(e)) from e
    for line in result.lines():
        click.echo(line)


@main.command(name="demo")
@DB_OPTION
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Ingest the sample only.")
def demo_command(db_path, host, port, no_serve):
    """Ingest the bundled sample speech (once), then serve the archive."""
    sample = resources.files("podium.ingest") / "sample"
    with resources.as_file(sample / "seed_plain.mp3") as audio, resources.as_file(sample / "official.txt") as text:
        try:
            result = ingest(audio, text, db_path, IngestOptions(meeting_id="sample", date="2022-01-21",
                                                                speakers=("乡镇党委书记",)))
        except (IngestError, schema.ArchiveVersionError) as e:
            raise click.ClickException(str(e)) from e
    _report(result)
    if not no_serve:
        _serve(db_path, host, port)


@main.command(name="upgrade")
@DB_OPTION
def upgrade_command(db_path):
    """Bring an archive written by an older Podium to this version's schema (one transaction, every row kept)."""
    from podium.ingest.store import open_for_writing

    if not db_path.exists():
        raise click.ClickException(f"{db_path}: no archive here")
    try:
        conn = sqlite3.connect(db_path)
        try:
            found = schema.archive_version(conn, db_path)
        finally:
            conn.close()
        open_for_writing(db_path).close()
    except schema.ArchiveVersionError as e:  # and ArchiveUnreadableError: locked, damaged, not an archive
        raise click.ClickException(str(e)) from e
    click.echo(f"{db_path}: upgraded from schema {found} to {schema.SCHEMA_VERSION}" if found < schema.SCHEMA_VERSION
               else f"{db_path}: already at schema {schema.SCHEMA_VERSION}")


@main.command(name="reindex")
@DB_OPTION
def reindex_command(db_path):
    """Rebuild every search index from the tables (after an upgrade or a hand edit of the archive)."""
    from podium.ingest.store import reindex

    if not db_path.exists():
        raise click.ClickException(f"{db_path}: no archive here")
    try:
        reindex(db_path)
    except schema.ArchiveVersionError as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"{db_path}: search indexes rebuilt")


@main.command(name="export")
@click.argument("meeting_ids", nargs=-1)
@click.option("--all", "all_meetings", is_flag=True, help="Every meeting in the archive.")
@click.option("--format", "fmt", type=click.Choice(export.FORMATS), default="csv", show_default=True)
@DB_OPTION
@click.option("--level", type=click.Choice(export.LEVELS), default="sentence", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Default: standard output.")
@click.option("--bom", is_flag=True, help="CSV: start with a UTF-8 BOM, for Excel.")
@click.option("--clips", type=click.Path(file_okay=False, path_type=Path),
              help="Also cut each spoken segment's audio into this folder (MP3, names sort by time).")
def export_command(meeting_ids, all_meetings, fmt, db_path, level, output, bom, clips):
    """Export the timed segments of MEETING_IDS (or --all) as CSV, SRT, WebVTT or JSON."""
    from podium.ingest.export import ExportError, render, segments, write_clips

    if bool(meeting_ids) == all_meetings:
        raise click.UsageError("give meeting IDs or --all, not both")
    try:
        rows = segments(db_path, None if all_meetings else list(meeting_ids), level)
        text = render(rows, fmt, bom=bom)
    except ExportError as e:
        raise click.ClickException(str(e)) from e
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    if clips:
        written = write_clips(db_path, rows, clips)
        click.echo(f"{len(written)} clips written to {clips}", err=True)


@main.command(name="eval")
@click.argument("audio", type=click.Path(exists=True, path_type=Path))
@click.argument("official", type=click.Path(exists=True, path_type=Path))
@click.argument("truth", type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--language", type=click.Choice([*schema.LANGUAGES, "auto"]), default="auto", show_default=True)
@click.option("--engine", type=click.Choice(ENGINES), default=None, help="Default: the fastest installed.")
@click.option("--setting", "settings", multiple=True, metavar="NAME=JSON",
              help="Change one decoding setting, e.g. batch_size=null or recover_rounds=0 (to compare settings).")
def eval_command(audio, official, truth, as_json, language, engine, settings):
    """Align AUDIO to OFFICIAL as an ingest would (nothing stored) and compare with TRUTH timings."""
    from podium.alignment.evaluate import evaluate, format_report
    from podium.ingest.pipeline import prepare, transcribe_and_align

    try:
        decoding = {name: json.loads(value) for name, value in (s.split("=", 1) for s in settings)}
    except ValueError as e:
        raise click.UsageError(f"--setting takes NAME=JSON ({e})") from e
    try:
        prepared = prepare(audio, official, None, IngestOptions(meeting_id="eval", language=language, engine=engine,
                                                                decoding=decoding), progress=not as_json)
        aligned = transcribe_and_align(prepared, progress=not as_json)
    except IngestError as e:
        raise click.ClickException(str(e)) from e
    rows, transcript = aligned.rows, aligned.transcript
    report = evaluate(rows.paragraphs, rows.sentences, rows.unscripted, json.loads(truth.read_text(encoding="utf-8")))
    report["timing"] = {"engine": prepared.inputs.engine, "audio_seconds": rows.meeting["duration"],
                        "transcribe_seconds": transcript.seconds, "align_seconds": aligned.alignment.seconds,
                        "transcript_cached": transcript.cached}
    if as_json:
        json.dump(report, sys.stdout, indent=2, ensure_ascii=False)
        click.echo()
    else:
        click.echo(format_report(report))
        t = report["timing"]
        click.echo(f"{t['engine']}: audio {t['audio_seconds']:.1f} s, transcription {t['transcribe_seconds']:.1f} s"
                   f"{' (cached)' if t['transcript_cached'] else ''}, alignment {t['align_seconds']:.2f} s")


@main.command(name="correct")
@click.argument("meeting_id")
@click.option("--sentence", metavar="P-S", help="The sentence: its paragraph and its number in it (as on the page).")
@click.option("--start", type=float, help="Its start in the recording (seconds).")
@click.option("--end", type=float, help="Its end in the recording (seconds).")
@click.option("--status", type=click.Choice(["spoken", "partial", "not_spoken"]))
@click.option("--text", help="Its corrected text (the meeting is then aligned again, corrections kept).")
@click.option("--file", "csv_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A batch: a CSV with columns sentence, start, end, status, text, reason (empty: unchanged).")
@click.option("--editor", required=True, help="Who makes the change: an editor in the editors file.")
@click.option("--reason", help="Why (kept in the history).")
@DB_OPTION
@AUTH_OPTION
def correct_command(meeting_id, sentence, start, end, status, text, csv_path, editor, reason, db_path, auth_path):
    """Correct sentences of meeting MEETING_ID as an editor would in the browser: the same checks, the same
    history. One sentence with --sentence, or a batch with --file; each row is one action."""
    import csv

    from podium import corrections
    from podium.publish import auth

    if bool(sentence) == bool(csv_path):
        raise click.UsageError("give --sentence P-S (with what to change) or --file corrections.csv")
    try:
        if editor not in auth.editor_names(auth_path):
            raise click.ClickException(f"{editor}: not an editor in {auth_path or auth.default_path()} "
                                       "(podium editors add NAME)")
        if csv_path:
            with open(csv_path, newline="", encoding="utf-8-sig") as f:
                rows = list(csv.DictReader(f))
        else:
            rows = [{"sentence": sentence, "start": start, "end": end, "status": status, "text": text, "reason": reason}]
        conn = _open_archive(db_path)
    except (auth.AuthError, schema.ArchiveVersionError) as e:
        raise click.ClickException(str(e)) from e
    texts = False
    try:
        for line, row in enumerate(rows, start=2 if csv_path else 1):
            where = f"{csv_path}:{line}: " if csv_path else ""
            try:
                p, s = (int(x) for x in str(row.get("sentence") or "").split("-"))
            except ValueError:
                raise click.ClickException(f"{where}sentence {row.get('sentence')!r}: give it as P-S, e.g. 3-0")
            row_id = schema.sentence_id(meeting_id, p, s)
            edits = []
            for field in ("start", "end", "status", "text"):
                value = row.get(field)
                if value is None or value == "":
                    continue
                if field in ("start", "end"):
                    try:
                        value = float(value)
                    except ValueError:
                        raise click.ClickException(f"{where}{field} {value!r}: not a number of seconds")
                edits.append(corrections.Edit("sentences", row_id, field, value))
            if not edits:
                raise click.ClickException(f"{where}{row_id}: nothing to change")
            try:
                action = corrections.apply(conn, edits, editor=editor, reason=row.get("reason") or reason)
            except corrections.EditError as e:
                raise click.ClickException(f"{where}{e}") from e
            texts = texts or any(e.field == "text" for e in edits)
            click.echo(f"{row_id}: {', '.join(e.field for e in edits)} corrected (action {action})")
    finally:
        conn.close()
    if texts:  # the corrected text placed again from the cached transcript, every correction kept
        try:
            for conflict in corrections.realign(db_path, meeting_id):
                click.echo(f"  conflict kept as corrected: {conflict}")
        except corrections.RealignError as e:
            raise click.ClickException(str(e)) from e


def _open_archive(db_path: Path):
    """The archive opened for writing (upgraded if older), for corrections."""
    from podium.ingest import store

    if not db_path.exists():
        raise click.ClickException(f"{db_path}: no such archive")
    return store.open_for_writing(db_path)


if __name__ == "__main__":
    main()
