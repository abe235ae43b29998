"""Job storage: UWS jobs live in the database, so they survive restarts and
several service processes can share them.

Workers claim QUEUED jobs atomically (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, a guarded UPDATE on SQLite). Every phase change is announced with
``NOTIFY uws_phase`` on PostgreSQL and through an in-process event, so ``WAIT``
returns promptly.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ...schema.internal import UWS_JOB
from ...schema.sql import build_metadata, sa_table

PENDING, QUEUED, EXECUTING = "PENDING", "QUEUED", "EXECUTING"
COMPLETED, ERROR, ABORTED = "COMPLETED", "ERROR", "ABORTED"
HELD, SUSPENDED, ARCHIVED, UNKNOWN = "HELD", "SUSPENDED", "ARCHIVED", "UNKNOWN"
PHASES = (PENDING, QUEUED, EXECUTING, COMPLETED, ERROR, ABORTED, UNKNOWN, HELD, SUSPENDED,
          ARCHIVED)
ACTIVE_PHASES = (PENDING, QUEUED, EXECUTING)
FINAL_PHASES = (COMPLETED, ERROR, ABORTED, ARCHIVED)
NOTIFY_CHANNEL = "uws_phase"


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


@dataclass
class Job:
    job_id: str
    owner: str | None
    run_id: str | None
    phase: str
    parameters: dict[str, str]
    creation_time: datetime
    start_time: datetime | None
    end_time: datetime | None
    execution_duration: int
    destruction_time: datetime
    quote: datetime | None
    error_summary: str | None
    error_type: str | None
    result_path: str | None
    result_mime: str | None
    result_size: int | None
    result_rows: int | None
    uploads: dict[str, str]

    @classmethod
    def from_row(cls, row: Any) -> Job:
        stored = json.loads(row.parameters)
        return cls(
            job_id=row.job_id, owner=row.owner, run_id=row.run_id, phase=row.phase,
            parameters=stored.get("params", {}), uploads=stored.get("uploads", {}),
            creation_time=row.creation_time, start_time=row.start_time,
            end_time=row.end_time, execution_duration=row.execution_duration,
            destruction_time=row.destruction_time, quote=row.quote,
            error_summary=row.error_summary, error_type=row.error_type,
            result_path=row.result_path, result_mime=row.result_mime,
            result_size=row.result_size, result_rows=row.result_rows)


class PhaseBoard:
    """In-process notification of phase changes (WAIT, worker wake-up)."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._version = 0

    def announce(self) -> None:
        with self._condition:
            self._version += 1
            self._condition.notify_all()

    @property
    def version(self) -> int:
        return self._version

    def wait(self, seen: int, timeout: float) -> int:
        with self._condition:
            if self._version == seen:
                self._condition.wait(timeout)
            return self._version


class JobStore:
    """CRUD of UWS jobs on the service database."""

    def __init__(self, engine: sa.Engine, results_dir: Path) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self.table = sa_table(build_metadata(self.dialect), UWS_JOB, self.dialect)
        self.results_dir = results_dir
        self.board = PhaseBoard()

    # -- helpers ---------------------------------------------------------------------
    def _notify(self, conn: sa.Connection, job_id: str) -> None:
        if self.dialect == "postgresql":
            conn.execute(sa.text("SELECT pg_notify(:channel, :job)"),
                         {"channel": NOTIFY_CHANNEL, "job": job_id})

    def result_file(self, job_id: str) -> Path:
        return self.results_dir / f"{job_id}.result"

    # -- create / read ------------------------------------------------------------------
    def create(self, params: dict[str, str], uploads: dict[str, str], owner: str | None,
               execution_duration: int, retention: int) -> Job:
        now = utcnow()
        job_id = secrets.token_urlsafe(12).replace("-", "x").replace("_", "y")
        with self.engine.begin() as conn:
            conn.execute(sa.insert(self.table).values(
                job_id=job_id, owner=owner, run_id=params.get("runid"), phase=PENDING,
                parameters=json.dumps({"params": params, "uploads": uploads}),
                creation_time=now, execution_duration=execution_duration,
                destruction_time=now + timedelta(seconds=retention)))
        job = self.get(job_id)
        assert job is not None
        return job

    def get(self, job_id: str) -> Job | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(self.table).where(self.table.c.job_id == job_id)
                               ).first()
        return Job.from_row(row) if row is not None else None

    def list_jobs(self, owner: str | None, phases: Sequence[str] = (),
             after: datetime | None = None, last: int | None = None) -> list[Job]:
        t = self.table
        query = sa.select(t).where(t.c.owner.is_(None) if owner is None else t.c.owner == owner)
        if phases:
            query = query.where(t.c.phase.in_(list(phases)))
        else:
            query = query.where(t.c.phase != ARCHIVED)
        if after is not None:
            query = query.where(t.c.creation_time > after)
        if last is not None:
            query = query.order_by(t.c.creation_time.desc(), t.c.job_id).limit(last)
        else:
            query = query.order_by(t.c.creation_time, t.c.job_id)
        with self.engine.connect() as conn:
            jobs = [Job.from_row(r) for r in conn.execute(query)]
        if last is not None:
            jobs.reverse()
        return jobs

    # -- updates ------------------------------------------------------------------------
    def update(self, job_id: str, only_in: Sequence[str] | None = None,
               **values: Any) -> bool:
        """Set columns; with ``only_in`` only when the job is in one of those phases."""
        t = self.table
        query = sa.update(t).where(t.c.job_id == job_id)
        if only_in is not None:
            query = query.where(t.c.phase.in_(list(only_in)))
        with self.engine.begin() as conn:
            changed = conn.execute(query.values(**values)).rowcount > 0
            if changed and "phase" in values:
                self._notify(conn, job_id)
        if changed and "phase" in values:
            self.board.announce()
        return changed

    def set_parameters(self, job: Job, params: dict[str, str],
                       uploads: dict[str, str]) -> bool:
        merged = {**job.parameters, **params}
        merged_uploads = {**job.uploads, **uploads}
        return self.update(job.job_id, only_in=(PENDING,),
                           parameters=json.dumps({"params": merged,
                                                  "uploads": merged_uploads}),
                           run_id=merged.get("runid"))

    def queue(self, job_id: str) -> bool:
        return self.update(job_id, only_in=(PENDING, HELD), phase=QUEUED)

    def claim(self, worker: str) -> Job | None:
        """Atomically take the oldest QUEUED job and mark it EXECUTING."""
        t = self.table
        now = utcnow()
        with self.engine.begin() as conn:
            candidate = sa.select(t.c.job_id).where(t.c.phase == QUEUED).order_by(
                t.c.creation_time).limit(1)
            if self.dialect == "postgresql":
                candidate = candidate.with_for_update(skip_locked=True)
            job_id = conn.execute(candidate).scalar()
            if job_id is None:
                return None
            updated = conn.execute(sa.update(t).where(t.c.job_id == job_id,
                                                      t.c.phase == QUEUED).values(
                phase=EXECUTING, start_time=now, worker=worker)).rowcount
            if not updated:
                return None
            self._notify(conn, job_id)
        self.board.announce()
        return self.get(job_id)

    def delete(self, job_id: str) -> None:
        job = self.get(job_id)
        with self.engine.begin() as conn:
            conn.execute(sa.delete(self.table).where(self.table.c.job_id == job_id))
            self._notify(conn, job_id)
        self.board.announce()
        if job is not None and job.result_path:
            Path(job.result_path).unlink(missing_ok=True)

    def expired(self, now: datetime | None = None) -> list[str]:
        t = self.table
        with self.engine.connect() as conn:
            return list(conn.execute(sa.select(t.c.job_id).where(
                t.c.destruction_time <= (now or utcnow()))).scalars())

    def orphaned_executing(self) -> list[str]:
        """Jobs left EXECUTING by a process that died (recovered at start)."""
        t = self.table
        with self.engine.connect() as conn:
            return list(conn.execute(sa.select(t.c.job_id).where(t.c.phase == EXECUTING))
                        .scalars())
