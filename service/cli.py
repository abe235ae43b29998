"""The ``obsportal`` command: serve, migrate, check, harvest.

Long work (harvests) shows a progress bar on a terminal and plain structured
log lines elsewhere; exit codes are 0 (all good), 1 (some input rejected or
drift found), 2 (nothing could be done).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

from .. import __version__
from ..harvesters.runner import HarvestReport, harvest_files
from .cli_access import pi_app, team_app, token_app, user_app
from .logs import configure_logging
from .settings import Settings, get_settings
from .storage.engine import make_engine
from .storage.schema_setup import is_initialised, schema_differences, upgrade

app = typer.Typer(help="ObsPortal: IVOA TAP service of interferometry observation logs.",
                  no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Create, migrate and verify the database.", no_args_is_help=True)
harvest_app = typer.Typer(help="Load observation logs into the database.",
                          no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(harvest_app, name="harvest")
app.add_typer(user_app, name="user")
app.add_typer(team_app, name="team")
app.add_typer(pi_app, name="instrument-pi")
app.add_typer(token_app, name="token")
console = Console(stderr=True)
log = logging.getLogger("obsportal.cli")


def _settings() -> Settings:
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    return settings


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(f"obsportal {__version__}")


@app.command()
def serve(host: Annotated[str | None, typer.Option(help="Address to bind.")] = None,
          port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None) -> None:
    """Start the service (creates and fills the embedded database on first start)."""
    import uvicorn

    from .app import create_app
    from .bootstrap import DatabaseNotReadyError, prepare_database

    settings = _settings()
    host = host or settings.host
    port = port or settings.port
    try:
        engine = prepare_database(settings)
    except DatabaseNotReadyError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    shown = "localhost" if host in {"127.0.0.1", "0.0.0.0", "::"} else host
    base = (settings.public_url or f"http://{shown}:{port}").rstrip("/")
    typer.echo(f"ObsPortal {__version__} on {_describe(settings)}")
    typer.echo(f"TAP URL (TOPCAT: VO > Table Access Protocol): {base}/tap")
    uvicorn.run(create_app(engine, settings), host=host, port=port,
                log_level=settings.log_level.lower(), server_header=False)


@app.command()
def worker(threads: Annotated[int, typer.Option(help="Jobs run in parallel.")] = 2) -> None:
    """Run async (UWS) jobs without serving HTTP; several workers may share a database."""
    import signal
    import threading

    from .bootstrap import DatabaseNotReadyError, prepare_database
    from .uws.store import JobStore
    from .uws.worker import JobRunner

    settings = _settings()
    try:
        engine = prepare_database(settings)
    except DatabaseNotReadyError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    runner = JobRunner(JobStore(engine, settings.data_dir / "results"), engine, settings)
    runner.start(threads)
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    typer.echo(f"worker {runner.name}: {threads} thread(s) on {_describe(settings)}")
    done.wait()
    runner.stop()


export_app = typer.Typer(help="Write observations for offline tools.", no_args_is_help=True)
app.add_typer(export_app, name="export")


@export_app.command("asprox")
def export_asprox_command(
    session: Annotated[Path, typer.Argument(help="An ASPRO2 session file (.asprox).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the result.")],
    radius: Annotated[float, typer.Option(help="Match radius (arcsec).")] = 30.0,
) -> None:
    """Add the observations of every target of an ASPRO2 session (targetObservations)."""
    from .aspro.rawobs import export_asprox

    settings = _settings()
    engine = make_engine(settings.effective_database_url)
    if not is_initialised(engine):
        console.print("[red]no ObsPortal schema in this database[/red]")
        raise typer.Exit(2)
    try:
        data = export_asprox(engine, session, radius)
    except (OSError, ValueError) as exc:
        console.print(f"[red]cannot read {session}:[/red] {exc}")
        raise typer.Exit(2) from exc
    out.write_bytes(data)
    typer.echo(f"written {out}")


report_app = typer.Typer(help="Reports for the observatories and the team.",
                         no_args_is_help=True)
app.add_typer(report_app, name="report")


@report_app.command("header-issues")
def report_header_issues(
    fmt: Annotated[str, typer.Option("--format", help="csv or votable.")] = "csv",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File (default: stdout).")]
    = None,
) -> None:
    """Exposures whose header pointing or OBJECT disagree with their target (for ESO)."""
    import csv as csv_module
    import io

    import sqlalchemy as sa

    from ..schema.domain import EXPOSURE, HEADER_ISSUE, TARGET
    from ..schema.model import AdqlType, Column
    from ..schema.sql import build_metadata, sa_table
    from ..votable import VOTABLE_TABLEDATA, write_result

    settings = _settings()
    engine = make_engine(settings.effective_database_url)
    if not is_initialised(engine):
        console.print("[red]no ObsPortal schema in this database[/red]")
        raise typer.Exit(2)
    dialect = engine.dialect.name
    metadata = build_metadata(dialect)
    h, e, t = (sa_table(metadata, table, dialect) for table in (HEADER_ISSUE, EXPOSURE, TARGET))
    query = (sa.select(e.c.dp_id, h.c.kind, h.c.header_object, h.c.header_ra, h.c.header_dec,
                       t.c.name, t.c.ra, t.c.dec, h.c.separation, h.c.detail)
             .select_from(h.join(e, h.c.exposure_id == e.c.exposure_id)
                          .outerjoin(t, h.c.target_id == t.c.target_id))
             .order_by(e.c.dp_id))
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(query)]
    names = ["dp_id", "kind", "header_object", "header_ra", "header_dec", "target", "target_ra",
             "target_dec", "separation_arcsec", "detail"]
    if fmt.lower() == "votable":
        types = [AdqlType.VARCHAR, AdqlType.VARCHAR, AdqlType.VARCHAR, AdqlType.DOUBLE,
                 AdqlType.DOUBLE, AdqlType.VARCHAR, AdqlType.DOUBLE, AdqlType.DOUBLE,
                 AdqlType.DOUBLE, AdqlType.VARCHAR]
        columns = [Column(n, k, "", unit="deg" if "_ra" in n or "_dec" in n else None)
                   for n, k in zip(names, types, strict=True)]
        data = b"".join(write_result(columns, rows, VOTABLE_TABLEDATA))
    elif fmt.lower() == "csv":
        buffer = io.StringIO()
        writer = csv_module.writer(buffer)
        writer.writerow(names)
        writer.writerows(rows)
        data = buffer.getvalue().encode()
    else:
        console.print("[red]--format must be csv or votable[/red]")
        raise typer.Exit(2)
    if out is None:
        sys.stdout.buffer.write(data)
    else:
        out.write_bytes(data)
        typer.echo(f"{len(rows)} exposure(s) written to {out}")


def _describe(settings: Settings) -> str:
    if settings.is_embedded:
        return f"embedded SQLite {settings.data_dir / 'obsportal.sqlite'}"
    url = settings.effective_database_url
    return "PostgreSQL " + url.rsplit("@", 1)[-1]


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema, then rebuild views and TAP_SCHEMA."""
    settings = _settings()
    if settings.is_embedded:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.effective_database_url)
    upgrade(engine)
    typer.echo(f"database is up to date ({_describe(settings)})")


@db_app.command("check")
def db_check() -> None:
    """Compare the database with the declarative schema; exit 1 on drift."""
    settings = _settings()
    engine = make_engine(settings.effective_database_url)
    if not is_initialised(engine):
        console.print("[red]no ObsPortal schema in this database[/red]: run "
                      "`obsportal db upgrade`")
        raise typer.Exit(1)
    diffs = schema_differences(engine)
    if diffs:
        for diff in diffs:
            typer.echo(f"drift: {diff}")
        raise typer.Exit(1)
    typer.echo("schema matches schema/ (no drift)")


@harvest_app.command("obscore-table")
def harvest_obscore_table(
    files: Annotated[list[Path], typer.Argument(help="CSV, TSV or VOTable files (.gz ok).")],
) -> None:
    """Load files whose columns are ObsCore names plus the extension names."""
    settings = _settings()
    engine = _harvest_engine(settings)
    report = _run_with_progress(engine, files, settings)
    _finish(report, engine)


@harvest_app.command("eso-files")
def harvest_eso_files_command(
    paths: Annotated[list[Path], typer.Argument(
        help="VLTI FITS files, their header dumps (.txt/.hdr), or directories of them.")],
) -> None:
    """Load ESO VLTI frames (GRAVITY, MATISSE, PIONIER, AMBER) from disk."""
    from ..harvesters.runner import harvest_eso_files

    settings = _settings()
    engine = _harvest_engine(settings)
    report = harvest_eso_files(engine, paths, publisher_authority=settings.publisher_authority)
    _finish(report, engine)


@harvest_app.command("oifits")
def harvest_oifits_command(
    paths: Annotated[list[Path], typer.Argument(help="OIFITS files or directories of them.")],
    access_base: Annotated[str | None, typer.Option(
        help="Public base URL of the files (default: file:// URLs).")] = None,
) -> None:
    """Load OIFITS files (v1/v2): their products, and the exposures, OB executions and
    baselines they were made from (from the ESO or CHARA header, else the OI tables)."""
    from ..harvesters.runner import harvest_oifits_files

    settings = _settings()
    engine = _harvest_engine(settings)
    report = harvest_oifits_files(engine, paths, access_base=access_base,
                                  publisher_authority=settings.publisher_authority)
    _finish(report, engine)


@harvest_app.command("obsportal")
def harvest_obsportal_command(
    url: Annotated[str | None, typer.Option(help="Base URL of an ObsPortal service "
                                            "(incremental, checkpointed).")] = None,
    files: Annotated[list[Path] | None, typer.Option(
        "--file", help="Saved search.votable documents.")] = None,
    since: Annotated[str | None, typer.Option(help="Start of the first window (ISO).")] = None,
) -> None:
    """Load exposures from the JMMC ObsPortal search.votable service or saved documents."""
    from datetime import UTC, datetime

    from ..harvesters.runner import harvest_obsportal

    settings = _settings()
    engine = _harvest_engine(settings)
    start = datetime.fromisoformat(since).replace(tzinfo=UTC) if since else None
    report = harvest_obsportal(engine, base_url=url, files=files or [], since=start,
                               publisher_authority=settings.publisher_authority)
    _finish(report, engine)


@harvest_app.command("eso")
def harvest_eso_command(
    tap_url: Annotated[str, typer.Option(help="ESO TAP service.")] =
    "https://archive.eso.org/tap_obs",
    header_url: Annotated[str, typer.Option(help="ESO header service.")] =
    "https://archive.eso.org/hdr",
    since: Annotated[str | None, typer.Option(help="last_mod_date to start after (ISO); "
                                              "default: the stored checkpoint.")] = None,
    limit: Annotated[int, typer.Option(help="Frames per run.")] = 5000,
) -> None:
    """VLTI frames from the ESO archive (dbo.raw, then each frame's header), incremental."""
    from ..harvesters.runner import harvest_eso_archive

    settings = _settings()
    engine = _harvest_engine(settings)
    report = harvest_eso_archive(engine, tap_url=tap_url, header_url=header_url,
                                 cache_dir=settings.data_dir / "eso-headers", since=since,
                                 limit=limit, publisher_authority=settings.publisher_authority)
    _finish(report, engine)


@harvest_app.command("oidb")
def harvest_oidb_command(
    tap_url: Annotated[str, typer.Option(help="OiDB TAP service.")] =
    "http://tap.jmmc.fr/vollt/tap",
    page: Annotated[int, typer.Option(help="Rows per TAP request.")] = 5000,
) -> None:
    """Observation logs and OIFITS granules from JMMC OiDB (ObsCore over TAP), incremental."""
    from ..harvesters.runner import harvest_oidb

    settings = _settings()
    engine = _harvest_engine(settings)
    report = harvest_oidb(engine, tap_url=tap_url, page=page,
                          publisher_authority=settings.publisher_authority)
    _finish(report, engine)


@harvest_app.command("chara")
def harvest_chara_command(
    files: Annotated[list[Path], typer.Argument(help="CHARA observation-log CSV files.")],
) -> None:
    """CHARA observation logs (UT-DATE, STAR, PI, PROGRAM, COMBINER, TYPE, MJD, ...)."""
    from ..harvesters.runner import harvest_chara_logs

    settings = _settings()
    engine = _harvest_engine(settings)
    report = harvest_chara_logs(engine, files,
                                publisher_authority=settings.publisher_authority)
    _finish(report, engine)


@harvest_app.command("aspro")
def harvest_aspro_command(
    files: Annotated[list[Path], typer.Argument(
        help="ASPRO2 session files (.asprox); with --team also OB exports (.obxml).")],
    team: Annotated[str | None, typer.Option(
        help="Import the planned OBs of the files as draft plans of this team.")] = None,
    proposal: Annotated[int | None, typer.Option(
        help="Attach the imported plans to this proposal of the team.")] = None,
    user: Annotated[str, typer.Option(
        help="Name written in the plans' audit trail.")] = "operator",
) -> None:
    """Targets and raw observations of ASPRO2 sessions (public); with --team, the
    planned OBs of sessions and OB exports, private to that team."""
    from ..harvesters.runner import harvest_aspro_sessions

    settings = _settings()
    engine = _harvest_engine(settings)
    sessions = [f for f in files if f.suffix.lower() != ".obxml"]
    if team is None and len(sessions) < len(files):
        console.print("[red].obxml files hold planned OBs[/red]: give --team TEAM")
        raise typer.Exit(2)
    failed = _import_plans(engine, files, team, proposal, user) if team else 0
    if sessions:
        report = harvest_aspro_sessions(engine, sessions,
                                        publisher_authority=settings.publisher_authority)
        _finish(report, engine)
    if failed:
        raise typer.Exit(1 if failed < len(files) else 2)


def _import_plans(engine: Any, files: list[Path], team: str, proposal: int | None,
                  user: str) -> int:
    """Import planned OBs file by file; returns how many files could not be read."""
    from ..harvesters.aspro_plans import PlanFileError, read_plan_file
    from .plans.store import PlanError, import_plans

    failed = 0
    for path in files:
        try:
            planned = read_plan_file(path)
            report = import_plans(engine, None, team, planned, path.name, proposal, user)
        except (PlanFileError, OSError) as exc:
            failed += 1
            typer.echo(f"unreadable: {exc}")
            continue
        except PlanError as exc:
            console.print(f"[red]error[/red]: {exc.detail}")
            raise typer.Exit(2) from exc
        typer.echo(f"{path.name}: {len(report.created)} plan(s) created, "
                   f"{len(report.updated)} updated, {len(report.unchanged)} unchanged, "
                   f"{len(report.skipped)} skipped for team {team}")
        for line in report.skipped + report.issues:
            typer.echo(f"  {line}")
    return failed


def _run_with_progress(engine: object, files: list[Path], settings: Settings) -> HarvestReport:
    import sqlalchemy as sa
    assert isinstance(engine, sa.Engine)
    if not sys.stderr.isatty():
        return harvest_files(engine, files, publisher_authority=settings.publisher_authority)
    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                  TextColumn("{task.fields[rows]} rows"), TimeElapsedColumn(),
                  console=console) as progress:
        tasks: dict[str, int] = {}

        def update(path: str, done: int, size: int, rows: int) -> None:
            if path not in tasks:
                tasks[path] = int(progress.add_task(Path(path).name, total=size, rows=0))
            progress.update(tasks[path], completed=done, rows=rows)  # type: ignore[arg-type]

        return harvest_files(engine, files, publisher_authority=settings.publisher_authority,
                             progress=update)


def _harvest_engine(settings: Settings) -> Any:
    """The configured database, created first when it is the embedded one."""
    if settings.is_embedded:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.effective_database_url)
    if not is_initialised(engine):
        if not settings.is_embedded:
            console.print("[red]no ObsPortal schema[/red]: run `obsportal db upgrade` first")
            raise typer.Exit(2)
        upgrade(engine)
    return engine


def _finish(report: HarvestReport, engine: Any) -> None:
    """Print the report, match planned OBs to what was harvested; exit 2 when nothing
    loaded and something failed, 1 on any rejection."""
    _print_report(report)
    if report.loaded:
        from .plans.execution import match_executions
        matched = match_executions(engine)
        if matched.matched:
            typer.echo(f"{len(matched.matched)} planned OB(s) found executed: "
                       + ", ".join(f"plan {p} -> OB execution {o}"
                                   for p, o in sorted(matched.matched.items())))
    if report.loaded == 0 and (report.bad_rows or report.failed_files):
        raise typer.Exit(2)
    if not report.ok:
        raise typer.Exit(1)


def _print_report(report: HarvestReport) -> None:
    typer.echo(f"{report.files} file(s): {report.rows_read} valid rows, {report.new} new, "
               f"{report.updated} updated, {len(report.bad_rows)} rejected")
    for path, columns in report.unknown_columns.items():
        typer.echo(f"{path}: unknown columns not loaded: {', '.join(columns)}")
    for failure in report.failed_files:
        typer.echo(f"unreadable: {failure}")
    for bad in report.bad_rows[:50]:
        typer.echo(f"rejected {bad}")
    if len(report.bad_rows) > 50:
        typer.echo(f"... and {len(report.bad_rows) - 50} more rejected rows")


def main() -> None:  # pragma: no cover - console entry point
    app()
