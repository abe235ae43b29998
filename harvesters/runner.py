"""Run a file-based harvest: read → validate → write in batches → report.

Used by ``obsportal harvest obscore-table`` and by the first start of the
embedded service (demo data). Every run is recorded in ``harvest_run`` with
its counts, so an operator can see what each load did.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ..schema.internal import HARVEST_RUN
from ..schema.sql import build_metadata, sa_table
from .obscore_table import BadRow, SourceError, TableFile, read_table_file
from .pipeline import BATCH_SIZE, DomainWriter

log = logging.getLogger("obsportal.harvest")

#: Called with (file path, bytes read so far, file size, rows so far).
ProgressCallback = Callable[[str, int, int, int], None]


@dataclass
class HarvestReport:
    """What a run did: counts, rejected rows and columns, unreadable files."""

    source: str
    files: int = 0
    rows_read: int = 0
    new: int = 0
    updated: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)
    unknown_columns: dict[str, list[str]] = field(default_factory=dict)
    failed_files: list[str] = field(default_factory=list)

    @property
    def loaded(self) -> int:
        return self.new + self.updated

    @property
    def ok(self) -> bool:
        return not self.bad_rows and not self.failed_files


def harvest_files(engine: sa.Engine, paths: Iterable[Path], *, source: str = "obscore-table",
                  publisher_authority: str = "ivo://obsportal.local",
                  progress: ProgressCallback | None = None,
                  batch_size: int = BATCH_SIZE) -> HarvestReport:
    """Load ObsCore-table files; a broken file or row is reported and skipped."""
    report = HarvestReport(source=source)
    run_id = _start_run(engine, source)
    writer = DomainWriter(engine, source, publisher_authority)
    try:
        for path in paths:
            report.files += 1
            try:
                table = read_table_file(path)
            except SourceError as exc:
                log.warning("file skipped", extra={"path": str(path), "reason": str(exc)})
                report.failed_files.append(str(exc))
                continue
            if table.unknown_columns:
                report.unknown_columns[str(path)] = table.unknown_columns
                log.warning("unknown columns not loaded",
                            extra={"path": str(path), "columns": table.unknown_columns})
            _load_table(writer, table, report, progress, batch_size)
        writer.finish()
    except Exception as exc:
        _finish_run(engine, run_id, report, "failed", str(exc))
        raise
    _finish_run(engine, run_id, report, "done" if report.ok else "done-with-errors",
                _summary(report))
    return report


def _load_table(writer: DomainWriter, table: TableFile, report: HarvestReport,
                progress: ProgressCallback | None, batch_size: int) -> None:
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        counts = writer.write(batch)
        report.new += counts.new
        report.updated += counts.updated
        batch.clear()

    for item in table.rows:
        if isinstance(item, BadRow):
            report.bad_rows.append(item)
            log.warning("row rejected", extra={"path": item.path, "line": item.line,
                                                "reason": item.message})
            continue
        report.rows_read += 1
        batch.append(item.values)
        if len(batch) >= batch_size:
            flush()
            if progress:
                progress(table.path, table.bytes_read(), table.size, report.rows_read)
    if batch:
        flush()
    if progress:
        progress(table.path, table.size, table.size, report.rows_read)


def _summary(report: HarvestReport) -> str:
    return (f"{report.files} file(s), {report.rows_read} valid rows, {report.new} new, "
            f"{report.updated} updated, {len(report.bad_rows)} rejected, "
            f"{len(report.failed_files)} unreadable file(s)")


def _run_table(engine: sa.Engine) -> sa.Table:
    dialect = engine.dialect.name
    return sa_table(build_metadata(dialect), HARVEST_RUN, dialect)


def _start_run(engine: sa.Engine, source: str) -> int:
    table = _run_table(engine)
    with engine.begin() as conn:
        result = conn.execute(sa.insert(table).values(
            source=source, started=datetime.now(UTC).replace(tzinfo=None), status="running"))
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])


def _finish_run(engine: sa.Engine, run_id: int, report: HarvestReport, status: str,
                message: str) -> None:
    table = _run_table(engine)
    with engine.begin() as conn:
        conn.execute(sa.update(table).where(table.c.run_id == run_id).values(
            finished=datetime.now(UTC).replace(tzinfo=None), status=status,
            n_new=report.new, n_updated=report.updated,
            n_failed=len(report.bad_rows), message=message))


def _expand(paths: Iterable[Path]) -> list[Path]:
    """Files, and the header/FITS files found under directories."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and (
                ".fits" in p.name.lower() or p.suffix.lower() in (".txt", ".hdr", ".oifits"))))
        else:
            found.append(path)
    return found


@contextmanager
def _harvest(engine: sa.Engine, source: str, publisher_authority: str
             ) -> Iterator[tuple[HarvestReport, DomainWriter]]:
    """A recorded harvest run: the report and writer to fill, then bookkeeping.

    The run is written to ``harvest_run`` as done, done-with-errors or failed (an
    exception is re-raised after it is recorded).
    """
    report = HarvestReport(source=source)
    run_id = _start_run(engine, source)
    writer = DomainWriter(engine, source, publisher_authority)
    try:
        yield report, writer
        writer.finish()
    except Exception as exc:
        _finish_run(engine, run_id, report, "failed", str(exc))
        raise
    _finish_run(engine, run_id, report, "done" if report.ok else "done-with-errors",
                _summary(report))


def _write(writer: DomainWriter, report: HarvestReport, rows: list[dict[str, Any]]) -> None:
    report.rows_read += len(rows)
    for start in range(0, len(rows), BATCH_SIZE):
        counts = writer.write(rows[start:start + BATCH_SIZE])
        report.new += counts.new
        report.updated += counts.updated


def harvest_eso_files(engine: sa.Engine, paths: Iterable[Path], *,
                      publisher_authority: str = "ivo://obsportal.local",
                      progress: ProgressCallback | None = None) -> HarvestReport:
    """Load VLTI frames from FITS files or header dumps; a bad file is reported and skipped."""
    from .eso_headers import HeaderError, frame_record, read_header

    with _harvest(engine, "eso-files", publisher_authority) as (report, writer):
        files = _expand(paths)
        rows: list[dict[str, Any]] = []
        for index, path in enumerate(files, start=1):
            report.files += 1
            try:
                rows.append(frame_record(read_header(path), str(path)).row)
            except HeaderError as exc:
                report.failed_files.append(str(exc))
                log.warning("file skipped", extra={"path": str(path), "reason": str(exc)})
            if len(rows) >= 500:
                _write(writer, report, rows)
                rows = []
            if progress:
                progress("frames", index, len(files), report.rows_read + len(rows))
        _write(writer, report, rows)
    return report


def harvest_oifits_files(engine: sa.Engine, paths: Iterable[Path], *,
                         access_base: str | None = None,
                         publisher_authority: str = "ivo://obsportal.local") -> HarvestReport:
    """Load OIFITS files as data products and the exposures they came from.

    A file that is not OIFITS is reported and skipped. The exposure rows go first in each
    file's batch so that the OB execution they define is the one a product joins.
    """
    from .oifits import OifitsError, read_oifits

    with _harvest(engine, "oifits", publisher_authority) as (report, writer):
        for path in _expand(paths):
            report.files += 1
            try:
                found = read_oifits(path, access_base)
            except OifitsError as exc:
                report.failed_files.append(str(exc))
                log.warning("file skipped", extra={"path": str(path), "reason": str(exc)})
                continue
            _write(writer, report, found.exposures + found.products)
    return report


def _checkpoint(engine: sa.Engine, source: str) -> str | None:
    from ..schema.internal import HARVEST_STATE
    table = sa_table(build_metadata(engine.dialect.name), HARVEST_STATE, engine.dialect.name)
    with engine.connect() as conn:
        return conn.execute(sa.select(table.c.checkpoint).where(table.c.source == source)
                            ).scalar()


def _save_checkpoint(engine: sa.Engine, source: str, checkpoint: str) -> None:
    from ..schema.internal import HARVEST_STATE
    table = sa_table(build_metadata(engine.dialect.name), HARVEST_STATE, engine.dialect.name)
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        updated = conn.execute(sa.update(table).where(table.c.source == source).values(
            checkpoint=checkpoint, updated=now)).rowcount
        if not updated:
            conn.execute(sa.insert(table).values(source=source, checkpoint=checkpoint,
                                                 updated=now))


def harvest_obsportal(engine: sa.Engine, *, base_url: str | None = None,
                      files: Iterable[Path] = (), since: datetime | None = None,
                      until: datetime | None = None,
                      publisher_authority: str = "ivo://obsportal.local") -> HarvestReport:
    """Exposures from an ObsPortal ``search.votable`` service (incremental) or saved files."""
    import httpx

    from .obsportal_source import (
        ObsPortalSourceError,
        fetch_window,
        rows_from_votable,
        windows,
    )

    with _harvest(engine, "obsportal", publisher_authority) as (report, writer):
        def load(data: bytes, label: str) -> None:
            try:
                rows = list(rows_from_votable(data))
            except ObsPortalSourceError as exc:
                report.failed_files.append(f"{label}: {exc}")
                return
            report.files += 1
            _write(writer, report, rows)

        for path in files:
            try:
                load(path.read_bytes(), str(path))
            except OSError as exc:
                report.failed_files.append(f"{path}: {exc}")
        if base_url:
            from .obsportal_source import parse_updated

            key = f"obsportal:{base_url.rstrip('/')}"
            start = since or parse_updated(_checkpoint(engine, key)) or \
                datetime(2000, 1, 1, tzinfo=UTC)
            with httpx.Client(timeout=120) as client:
                for window_start, window_end in windows(start, until or datetime.now(UTC)):
                    try:
                        data = fetch_window(base_url, window_start, window_end, client)
                    except (ObsPortalSourceError, httpx.HTTPError) as exc:
                        report.failed_files.append(str(exc))
                        break
                    load(data, f"{base_url} {window_start:%Y-%m-%d}")
                    _save_checkpoint(engine, key, window_end.isoformat())
    return report


def harvest_eso_archive(engine: sa.Engine, *, tap_url: str, header_url: str,
                        cache_dir: Path | None = None, since: str | None = None,
                        limit: int = 5000,
                        publisher_authority: str = "ivo://obsportal.local") -> HarvestReport:
    """New or modified VLTI frames from the ESO archive since the checkpoint."""
    from .eso_archive import EsoArchive, EsoArchiveError, later

    key = f"eso:{tap_url.rstrip('/')}"
    with _harvest(engine, "eso-archive", publisher_authority) as (report, writer):
        checkpoint = since or _checkpoint(engine, key)
        archive = EsoArchive(tap_url, header_url, cache_dir)
        try:
            rows: list[dict[str, Any]] = []
            for frame, record in archive.records(archive.frames(checkpoint, limit)):
                report.files += 1
                if isinstance(record, str):
                    report.failed_files.append(f"{frame.dp_id}: {record}")
                else:
                    rows.append(record.row)
                checkpoint = later(checkpoint, frame.last_mod_date)
                if len(rows) >= 200:
                    _write(writer, report, rows)
                    rows = []
                    _save_checkpoint(engine, key, checkpoint)
            _write(writer, report, rows)
            if checkpoint:
                _save_checkpoint(engine, key, checkpoint)
        except EsoArchiveError as exc:
            report.failed_files.append(str(exc))
        finally:
            archive.close()
    return report


def harvest_oidb(engine: sa.Engine, *, tap_url: str, page: int = 5000,
                 publisher_authority: str = "ivo://obsportal.local") -> HarvestReport:
    """OiDB's ObsCore rows after the stored id checkpoint, page by page."""
    from .oidb import OidbError, fetch_page, parse_rows

    key = f"oidb:{tap_url.rstrip('/')}"
    with _harvest(engine, "oidb", publisher_authority) as (report, writer):
        after = int(_checkpoint(engine, key) or 0)
        while True:
            try:
                records = fetch_page(tap_url, after, page)
            except OidbError as exc:
                report.failed_files.append(str(exc))
                break
            if not records:
                break
            report.files += 1
            good = []
            for item in parse_rows(records, f"{tap_url} after id {after}"):
                if isinstance(item, BadRow):
                    report.bad_rows.append(item)
                else:
                    good.append(item.values)
            _write(writer, report, good)
            after = max(int(r.get("id") or after) for r in records)
            _save_checkpoint(engine, key, str(after))
            if len(records) < page:
                break
    return report


def harvest_chara_logs(engine: sa.Engine, paths: Iterable[Path], *,
                       publisher_authority: str = "ivo://obsportal.local") -> HarvestReport:
    """CHARA observation-log CSV files; stars are linked to targets already known."""
    from ..schema.domain import TARGET
    from .chara_log import read_log

    target = sa_table(build_metadata(engine.dialect.name), TARGET, engine.dialect.name)
    with engine.connect() as conn:
        known = {r.name_key: (r.name, r.ra, r.dec) for r in conn.execute(
            sa.select(target.c.name_key, target.c.name, target.c.ra, target.c.dec))
            if r.ra is not None}
    with _harvest(engine, "chara", publisher_authority) as (report, writer):
        for path in paths:
            report.files += 1
            try:
                items = list(read_log(path, known))
            except (OSError, UnicodeDecodeError) as exc:
                report.failed_files.append(f"{path}: {exc}")
                continue
            report.bad_rows.extend(i for i in items if isinstance(i, BadRow))
            _write(writer, report, [i for i in items if not isinstance(i, BadRow)])
    return report


def harvest_aspro_sessions(engine: sa.Engine, paths: Iterable[Path], *,
                           publisher_authority: str = "ivo://obsportal.local") -> HarvestReport:
    """Targets (with positions and aliases) and raw observations of ASPRO2 sessions."""
    from ..schema.domain import TARGET
    from .aspro_session import SessionError, read_session
    from .pipeline import healpix_index, name_key

    target_table = sa_table(build_metadata(engine.dialect.name), TARGET, engine.dialect.name)
    with _harvest(engine, "aspro", publisher_authority) as (report, writer):
        for path in paths:
            report.files += 1
            try:
                targets, rows = read_session(path)
            except SessionError as exc:
                report.failed_files.append(str(exc))
                continue
            records = [{"name": t["name"], "name_key": name_key(t["name"]), "ra": t["ra"],
                        "dec": t["dec"], "pmra": t["pmra"], "pmdec": t["pmdec"],
                        "aliases": t["aliases"]} for t in targets]
            pixels = healpix_index([r["ra"] for r in records], [r["dec"] for r in records])
            for record, pixel in zip(records, pixels, strict=True):
                record["healpix"] = pixel
            if records:
                with engine.begin() as conn:
                    # Catalogue positions from the session are better than header ones.
                    writer.upsert(conn, target_table, records, ["name_key"])
            _write(writer, report, rows)
    return report
