"""UWS 1.1 HTTP binding of ``/tap/async``: job list, jobs and their resources."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta
from pathlib import Path

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, PlainTextResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from ... import votable
from ..settings import Settings
from ..tap.params import ParameterError, lower_keys, parse_maxrec
from ..tap.requests import read_request
from ..tap.routes import base_url, error_response
from .documents import (
    iso,
    job_document,
    job_list_document,
    parameters_document,
    results_document,
)
from .store import (
    ACTIVE_PHASES,
    EXECUTING,
    HELD,
    PENDING,
    PHASES,
    QUEUED,
    Job,
    JobStore,
    utcnow,
)
from .worker import JobRunner

router = APIRouter(prefix="/tap/async")
XML = "text/xml; charset=utf-8"
#: Job parameters a client may set (others are ignored, as DALI asks).
JOB_PARAMETERS = {"request", "lang", "query", "responseformat", "format", "maxrec", "runid",
                  "upload"}


def _store(request: Request) -> JobStore:
    store: JobStore = request.app.state.jobs
    return store


def _runner(request: Request) -> JobRunner:
    runner: JobRunner = request.app.state.runner
    return runner


def _job_url(request: Request, job_id: str) -> str:
    return f"{base_url(request)}/async/{job_id}"


def _see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


def _not_found(job_id: str) -> Response:
    return PlainTextResponse(f"no job {job_id}", status_code=404)


def _owner(request: Request) -> str | None:
    return getattr(request.state, "user", None)


async def _job(request: Request, job_id: str) -> Job | None:
    job = await run_in_threadpool(_store(request).get, job_id)
    if job is None or job.owner != _owner(request):
        return None
    return job


def _save_parts(settings: Settings, job_id: str, parts: dict[str, bytes]) -> dict[str, str]:
    folder = settings.data_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    saved: dict[str, str] = {}
    for name, data in parts.items():
        path = folder / f"{job_id}-{len(saved)}.vot"
        path.write_bytes(data)
        saved[name] = str(path)
    return saved


def _job_params(params: dict[str, list[str]]) -> dict[str, str]:
    chosen = {}
    for key, values in params.items():
        if key in JOB_PARAMETERS:
            chosen[key] = ";".join(values) if key == "upload" else values[-1]
    return chosen


@router.get("")
async def job_list(request: Request) -> Response:
    phases = [p.upper() for p in request.query_params.getlist("PHASE") +
              request.query_params.getlist("phase")]
    for phase in phases:
        if phase not in PHASES:
            return PlainTextResponse(f"unknown PHASE {phase}", status_code=400)
    after = last = None
    raw_after = request.query_params.get("AFTER") or request.query_params.get("after")
    raw_last = request.query_params.get("LAST") or request.query_params.get("last")
    try:
        if raw_after:
            after = datetime.fromisoformat(raw_after.replace("Z", "")).replace(tzinfo=None)
        if raw_last:
            last = int(raw_last)
            if last < 0:
                raise ValueError(raw_last)
    except ValueError:
        return PlainTextResponse("AFTER must be an ISO 8601 time and LAST a positive integer",
                                 status_code=400)
    jobs = await run_in_threadpool(_store(request).list_jobs, _owner(request), phases, after,
                                   last)
    return Response(job_list_document(jobs, f"{base_url(request)}/async"), media_type=XML)


@router.post("")
async def create_job(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    try:
        raw = await read_request(request, settings)
    except ParameterError as exc:
        return error_response(str(exc))
    store = _store(request)
    params = _job_params(raw.params)
    job = await run_in_threadpool(store.create, params, {}, _owner(request),
                                  settings.async_duration_default, settings.retention_default)
    if raw.parts:
        saved = await run_in_threadpool(_save_parts, settings, job.job_id, raw.parts)
        await run_in_threadpool(store.set_parameters, job, {}, saved)
    if raw.params.get("phase", [""])[-1].upper() == "RUN":
        await run_in_threadpool(store.queue, job.job_id)
        _runner(request).notify()
    return _see_other(_job_url(request, job.job_id))


@router.get("/{job_id}")
async def get_job(request: Request, job_id: str) -> Response:
    job = await _job(request, job_id)
    if job is None:
        return _not_found(job_id)
    wait = request.query_params.get("WAIT") or request.query_params.get("wait")
    if wait is not None:
        job = await _wait(request, job, wait) or job
    return Response(job_document(job, _job_url(request, job_id)), media_type=XML)


async def _wait(request: Request, job: Job, wait: str) -> Job | None:
    """UWS 1.1 blocking: until the phase changes (or leaves the given PHASE), or timeout."""
    try:
        seconds = float(wait)
    except ValueError:
        return None
    seconds = 60.0 if seconds < 0 else min(seconds, 60.0)
    phase = (request.query_params.get("PHASE") or request.query_params.get("phase")
             or job.phase).upper()
    if job.phase != phase or job.phase not in ACTIVE_PHASES:
        return job
    store = _store(request)
    deadline = time.monotonic() + seconds
    seen = store.board.version
    while time.monotonic() < deadline:
        remaining = deadline - time.monotonic()
        seen = await run_in_threadpool(store.board.wait, seen, min(0.5, remaining))
        current = await run_in_threadpool(store.get, job.job_id)
        if current is None or current.phase != phase:
            return current
        await asyncio.sleep(0)
    return await run_in_threadpool(store.get, job.job_id)


@router.post("/{job_id}")
async def post_job(request: Request, job_id: str) -> Response:
    job = await _job(request, job_id)
    if job is None:
        return _not_found(job_id)
    form = await request.form()
    action = str(form.get("ACTION") or form.get("action") or "").upper()
    if action == "DELETE":
        return await delete_job(request, job_id)
    params = lower_keys((k, str(v)) for k, v in form.multi_items())
    if params.get("phase"):
        return await _set_phase(request, job, params["phase"][-1])
    if params:
        return await _update_parameters(request, job, params)
    return _see_other(_job_url(request, job_id))


@router.delete("/{job_id}")
async def delete_job(request: Request, job_id: str) -> Response:
    job = await _job(request, job_id)
    if job is None:
        return _not_found(job_id)
    if job.phase == EXECUTING:
        await run_in_threadpool(_runner(request).abort, job)
    for path in job.uploads.values():
        Path(path).unlink(missing_ok=True)
    await run_in_threadpool(_store(request).delete, job_id)
    return _see_other(f"{base_url(request)}/async")


async def _set_phase(request: Request, job: Job, value: str) -> Response:
    phase = value.upper()
    if phase == "RUN":
        if job.phase in (PENDING, HELD):
            await run_in_threadpool(_store(request).queue, job.job_id)
            _runner(request).notify()
    elif phase == "ABORT":
        if job.phase in (PENDING, QUEUED, EXECUTING, HELD):
            await run_in_threadpool(_runner(request).abort, job)
    else:
        return PlainTextResponse("PHASE must be RUN or ABORT", status_code=400)
    return _see_other(_job_url(request, job.job_id))


async def _update_parameters(request: Request, job: Job,
                             params: dict[str, list[str]]) -> Response:
    if job.phase != PENDING:
        return PlainTextResponse("parameters can only change while the job is PENDING",
                                 status_code=409)
    try:
        if "maxrec" in params:
            parse_maxrec(params["maxrec"][-1])
    except ParameterError as exc:
        return PlainTextResponse(str(exc), status_code=400)
    await run_in_threadpool(_store(request).set_parameters, job, _job_params(params), {})
    return _see_other(_job_url(request, job.job_id))


@router.get("/{job_id}/phase")
async def get_phase(request: Request, job_id: str) -> Response:
    job = await _job(request, job_id)
    return _not_found(job_id) if job is None else PlainTextResponse(job.phase)


@router.post("/{job_id}/phase")
async def post_phase(request: Request, job_id: str) -> Response:
    job = await _job(request, job_id)
    if job is None:
        return _not_found(job_id)
    form = await request.form()
    return await _set_phase(request, job, str(form.get("PHASE") or form.get("phase") or ""))


@router.get("/{job_id}/executionduration")
async def get_duration(request: Request, job_id: str) -> Response:
    job = await _job(request, job_id)
    return _not_found(job_id) if job is None else PlainTextResponse(str(job.execution_duration))


@router.post("/{job_id}/executionduration")
async def post_duration(request: Request, job_id: str) -> Response:
    job = await _job(request, job_id)
    if job is None:
        return _not_found(job_id)
    form = await request.form()
    settings: Settings = request.app.state.settings
    try:
        value = int(str(form.get("EXECUTIONDURATION") or form.get("executionduration")))
    except ValueError:
        return PlainTextResponse("EXECUTIONDURATION must be an integer (seconds)", 400)
    hard = settings.async_duration_hard
    value = hard if value <= 0 or value > hard else value
    if job.phase == PENDING:
        await run_in_threadpool(_store(request).update, job_id, execution_duration=value)
    return _see_other(_job_url(request, job_id))


@router.get("/{job_id}/destruction")
async def get_destruction(request: Request, job_id: str) -> Response:
    job = await _job(request, job_id)
    return _not_found(job_id) if job is None else PlainTextResponse(iso(job.destruction_time))


@router.post("/{job_id}/destruction")
async def post_destruction(request: Request, job_id: str) -> Response:
    job = await _job(request, job_id)
    if job is None:
        return _not_found(job_id)
    form = await request.form()
    settings: Settings = request.app.state.settings
    raw = str(form.get("DESTRUCTION") or form.get("destruction") or "")
    try:
        wanted = datetime.fromisoformat(raw.replace("Z", "")).replace(tzinfo=None)
    except ValueError:
        return PlainTextResponse("DESTRUCTION must be an ISO 8601 time", status_code=400)
    latest = job.creation_time + timedelta(seconds=settings.retention_hard)
    await run_in_threadpool(_store(request).update, job_id,
                            destruction_time=min(max(wanted, utcnow()), latest))
    return _see_other(_job_url(request, job_id))


@router.get("/{job_id}/quote")
async def get_quote(request: Request, job_id: str) -> Response:
    job = await _job(request, job_id)
    return _not_found(job_id) if job is None else PlainTextResponse(iso(job.quote))


@router.get("/{job_id}/owner")
async def get_owner(request: Request, job_id: str) -> Response:
    job = await _job(request, job_id)
    return _not_found(job_id) if job is None else PlainTextResponse(job.owner or "")


@router.get("/{job_id}/parameters")
async def get_parameters(request: Request, job_id: str) -> Response:
    job = await _job(request, job_id)
    if job is None:
        return _not_found(job_id)
    return Response(parameters_document(job, _job_url(request, job_id)), media_type=XML)


@router.post("/{job_id}/parameters")
async def post_parameters(request: Request, job_id: str) -> Response:
    job = await _job(request, job_id)
    if job is None:
        return _not_found(job_id)
    form = await request.form()
    params = lower_keys((k, str(v)) for k, v in form.multi_items())
    return await _update_parameters(request, job, params)


@router.get("/{job_id}/results")
async def get_results(request: Request, job_id: str) -> Response:
    job = await _job(request, job_id)
    if job is None:
        return _not_found(job_id)
    return Response(results_document(job, _job_url(request, job_id)), media_type=XML)


@router.get("/{job_id}/results/result")
async def get_result(request: Request, job_id: str) -> Response:
    job = await _job(request, job_id)
    if job is None or job.phase != "COMPLETED" or not job.result_path:
        return _not_found(f"{job_id} result")
    path = Path(job.result_path)
    if not path.exists():
        return _not_found(f"{job_id} result")
    return FileResponse(path, media_type=job.result_mime or "application/x-votable+xml")


@router.get("/{job_id}/error")
async def get_error(request: Request, job_id: str) -> Response:
    job = await _job(request, job_id)
    if job is None or job.phase != "ERROR":
        return _not_found(f"{job_id} error")
    return Response(votable.error_document(job.error_summary or "error"),
                    media_type="application/x-votable+xml")
