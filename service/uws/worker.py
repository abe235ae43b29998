"""Running async jobs: in-process workers, abort, and the sweeper of expired jobs.

Workers claim QUEUED jobs from the database (several processes may share it),
run the query with the job's execution duration as time limit, and write the
result document to ``<data_dir>/results``. ABORT cancels the running statement
(``pg_cancel_backend`` on PostgreSQL, ``interrupt()`` on SQLite).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ...schema.access_rules import ANONYMOUS, Viewer
from ..access.identity import load_identity
from ..settings import Settings
from ..tap.execute import QueryError, prepare, stream
from ..tap.params import ParameterError, lower_keys, parse_tap_request
from ..tap.requests import fetch_uploads
from .store import ABORTED, COMPLETED, ERROR, EXECUTING, QUEUED, Job, JobStore, utcnow

log = logging.getLogger("obsportal.uws")


class JobRunner:
    """Owns the worker threads and the cancel handles of running jobs."""

    def __init__(self, store: JobStore, engine: sa.Engine, settings: Settings) -> None:
        self.store = store
        self.engine = engine
        self.settings = settings
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self.running: dict[str, Any] = {}
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []

    # -- lifecycle -----------------------------------------------------------------------
    def start(self, workers: int) -> None:
        self.store.results_dir.mkdir(parents=True, exist_ok=True)
        self._recover()
        for index in range(workers):
            thread = threading.Thread(target=self._loop, name=f"uws-worker-{index}",
                                      daemon=True)
            thread.start()
            self.threads.append(thread)
        sweeper = threading.Thread(target=self._sweep_loop, name="uws-sweeper", daemon=True)
        sweeper.start()
        self.threads.append(sweeper)
        if self.engine.dialect.name == "postgresql":
            listener = threading.Thread(target=self._listen, name="uws-listen", daemon=True)
            listener.start()
            self.threads.append(listener)

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()
        for thread in self.threads:
            thread.join(timeout=5)

    def _recover(self) -> None:
        """Jobs left EXECUTING by a dead process run again (their result was never written)."""
        limit = self.settings.async_duration_hard
        for job_id in self.store.orphaned_executing():
            job = self.store.get(job_id)
            if job and job.start_time and (utcnow() - job.start_time).total_seconds() > limit:
                self.store.update(job_id, only_in=(EXECUTING,), phase=QUEUED, worker=None)

    # -- work ----------------------------------------------------------------------------
    def notify(self) -> None:
        self.wake.set()

    def _loop(self) -> None:
        while not self.stopping.is_set():
            try:
                job = self.store.claim(self.name)
            except sa.exc.SQLAlchemyError:
                log.exception("cannot claim jobs")
                job = None
            if job is None:
                self.wake.wait(timeout=1.0)
                self.wake.clear()
                continue
            self.run(job)

    def run(self, job: Job) -> None:
        log.info("job started", extra={"job": job.job_id})
        path = self.store.result_file(job.job_id)
        stats: dict[str, Any] = {}
        try:
            tap = parse_tap_request(lower_keys(job.parameters.items()))
            parts = {name: Path(p).read_bytes() for name, p in job.uploads.items()}
            uploads = fetch_uploads(tap.uploads, parts, self.settings)
            prepared = prepare(self.engine, tap, self.settings, uploads,
                               self._viewer_of(job.owner))
            duration = job.execution_duration or self.settings.async_duration_hard
            tmp = path.with_suffix(".partial")
            with tmp.open("wb") as out:
                for chunk in stream(self.engine, prepared, duration,
                                    on_backend=lambda h: self._register(job.job_id, h),
                                    stats=stats):
                    out.write(chunk)
            tmp.replace(path)
            if stats.get("error"):
                raise QueryError(str(stats["error"]))
        except (ParameterError, QueryError) as exc:
            self._finish_error(job, str(exc), "fatal")
            return
        except Exception as exc:
            log.exception("job failed", extra={"job": job.job_id})
            self._finish_error(job, f"internal error: {exc}", "transient")
            return
        finally:
            with self.lock:
                self.running.pop(job.job_id, None)
        finished = self.store.update(
            job.job_id, only_in=(EXECUTING,), phase=COMPLETED, end_time=utcnow(),
            result_path=str(path), result_mime=prepared.fmt.mime,
            result_size=path.stat().st_size, result_rows=stats.get("rows"))
        if not finished:  # aborted meanwhile
            path.unlink(missing_ok=True)
        log.info("job finished", extra={"job": job.job_id, "rows": stats.get("rows")})

    def _viewer_of(self, owner: str | None) -> Viewer:
        """The job runs as its owner, with the owner's teams as they are *now*."""
        if owner is None:
            return ANONYMOUS
        with self.engine.connect() as conn:
            identity = load_identity(conn, name=owner)
        # An owner deleted since submission sees no private rows at all.
        return identity.viewer if identity is not None else ANONYMOUS

    def _finish_error(self, job: Job, message: str, kind: str) -> None:
        current = self.store.get(job.job_id)
        if current is not None and current.phase == ABORTED:
            return
        self.store.update(job.job_id, only_in=(EXECUTING,), phase=ERROR, end_time=utcnow(),
                          error_summary=message, error_type=kind)

    def _register(self, job_id: str, handle: Any) -> None:
        with self.lock:
            self.running[job_id] = handle
        if isinstance(handle, int):
            self.store.update(job_id, backend_pid=handle)

    def abort(self, job: Job) -> None:
        """Mark the job ABORTED and cancel its statement if it is running."""
        self.store.update(job.job_id, only_in=(QUEUED, EXECUTING, "PENDING", "HELD"),
                          phase=ABORTED, end_time=utcnow())
        with self.lock:
            handle = self.running.get(job.job_id)
        if handle is not None and not isinstance(handle, int):
            handle.interrupt()  # sqlite3 connection
            return
        pid = handle if isinstance(handle, int) else self._backend_pid(job.job_id)
        if pid and self.engine.dialect.name == "postgresql":
            with self.engine.connect() as conn:
                conn.execute(sa.text("SELECT pg_cancel_backend(:pid)"), {"pid": pid})

    def _backend_pid(self, job_id: str) -> int | None:
        t = self.store.table
        with self.engine.connect() as conn:
            value = conn.execute(sa.select(t.c.backend_pid).where(t.c.job_id == job_id)
                                 ).scalar()
        return int(value) if value else None

    def _listen(self) -> None:
        """LISTEN for phase changes made by other processes (PostgreSQL)."""
        import select

        from .store import NOTIFY_CHANNEL
        while not self.stopping.is_set():
            try:
                raw: Any = self.engine.raw_connection()
                try:
                    raw.set_session(autocommit=True)
                    cursor = raw.cursor()
                    cursor.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    connection = raw.driver_connection
                    while not self.stopping.is_set():
                        if select.select([connection], [], [], 1.0)[0]:
                            connection.poll()
                            if connection.notifies:
                                connection.notifies.clear()
                                self.store.board.announce()
                                self.wake.set()
                finally:
                    raw.close()
            except Exception:
                log.warning("LISTEN connection lost; retrying", exc_info=True)
                self.stopping.wait(2.0)

    # -- sweeper -------------------------------------------------------------------------
    def sweep(self) -> int:
        removed = 0
        for job_id in self.store.expired():
            job = self.store.get(job_id)
            if job is not None and job.phase == EXECUTING:
                self.abort(job)
            for path in (job.uploads.values() if job else ()):
                Path(path).unlink(missing_ok=True)
            self.store.delete(job_id)
            removed += 1
        return removed

    def _sweep_loop(self) -> None:
        while not self.stopping.wait(timeout=60):
            try:
                self.sweep()
            except Exception:
                log.exception("sweeper failed")
