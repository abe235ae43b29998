"""UWS 1.1 async jobs over HTTP on both backends."""

from __future__ import annotations

import io
import time

import httpx
from astropy.io.votable import parse, parse_single_table
from lxml import etree

from obsportal.service.uws.documents import UWS_NS

NS = {"uws": UWS_NS}
QUERY = "SELECT TOP 20 obs_id, target_name FROM ivoa.obscore ORDER BY obs_id"


def _job(url: str, **params: str) -> str:
    response = httpx.post(f"{url}/async", data={"LANG": "ADQL", **params})
    assert response.status_code == 303
    return response.headers["location"]


def _phase(job_url: str) -> str:
    return httpx.get(f"{job_url}/phase").text


def _wait_final(job_url: str) -> str:
    for _ in range(100):
        phase = httpx.get(job_url, params={"WAIT": "5"})
        doc = etree.fromstring(phase.content)
        value = doc.findtext("uws:phase", namespaces=NS)
        if value in ("COMPLETED", "ERROR", "ABORTED"):
            return value
    raise AssertionError("job never finished")


def test_create_run_wait_and_fetch_result(live) -> None:  # type: ignore[no-untyped-def]
    job_url = _job(live.url, QUERY=QUERY, RUNID="r1")
    assert _phase(job_url) == "PENDING"
    doc = etree.fromstring(httpx.get(job_url).content)
    assert doc.get("version") == "1.1"
    assert doc.findtext("uws:runId", namespaces=NS) == "r1"
    run = httpx.post(f"{job_url}/phase", data={"PHASE": "RUN"})
    assert run.status_code == 303
    started = time.monotonic()
    assert _wait_final(job_url) == "COMPLETED"
    assert time.monotonic() - started < 10
    result = httpx.get(f"{job_url}/results/result")
    table = parse_single_table(io.BytesIO(result.content)).to_table()
    assert len(table) == 20
    results = etree.fromstring(httpx.get(f"{job_url}/results").content)
    assert results.find("uws:result", namespaces=NS).get("id") == "result"


def test_phase_run_at_creation_and_error_summary(live) -> None:  # type: ignore[no-untyped-def]
    job_url = _job(live.url, QUERY="SELECT nope FROM ivoa.obscore", PHASE="RUN")
    assert _wait_final(job_url) == "ERROR"
    doc = etree.fromstring(httpx.get(job_url).content)
    assert "unknown column nope" in doc.findtext("uws:errorSummary/uws:message",
                                                 namespaces=NS)
    error = parse(io.BytesIO(httpx.get(f"{job_url}/error").content), verify="exception")
    assert error.resources[0].infos[0].value == "ERROR"


def test_wait_returns_at_once_for_a_final_phase_and_times_out_otherwise(live) -> None:  # type: ignore[no-untyped-def]
    job_url = _job(live.url, QUERY=QUERY)
    started = time.monotonic()
    httpx.get(job_url, params={"WAIT": "1", "PHASE": "PENDING"})
    assert 0.9 < time.monotonic() - started < 5
    httpx.post(f"{job_url}/phase", data={"PHASE": "ABORT"})
    started = time.monotonic()
    assert etree.fromstring(httpx.get(job_url, params={"WAIT": "30"}).content).findtext(
        "uws:phase", namespaces=NS) == "ABORTED"
    assert time.monotonic() - started < 2


def test_parameters_destruction_duration_and_delete(live) -> None:  # type: ignore[no-untyped-def]
    job_url = _job(live.url, QUERY=QUERY)
    httpx.post(f"{job_url}/parameters", data={"MAXREC": "3"})
    params = etree.fromstring(httpx.get(f"{job_url}/parameters").content)
    assert {p.get("id"): p.text for p in params}["maxrec"] == "3"
    httpx.post(f"{job_url}/executionduration", data={"EXECUTIONDURATION": "30"})
    assert httpx.get(f"{job_url}/executionduration").text == "30"
    httpx.post(f"{job_url}/destruction", data={"DESTRUCTION": "2000-01-01T00:00:00Z"})
    assert httpx.get(f"{job_url}/destruction").text.startswith("20")
    deleted = httpx.post(job_url, data={"ACTION": "DELETE"})
    assert deleted.status_code == 303
    assert httpx.get(job_url).status_code == 404


def test_job_list_filters(live) -> None:  # type: ignore[no-untyped-def]
    job_url = _job(live.url, QUERY=QUERY)
    job_id = job_url.rsplit("/", 1)[1]
    pending = etree.fromstring(httpx.get(f"{live.url}/async",
                                         params={"PHASE": "PENDING"}).content)
    ids = [ref.get("id") for ref in pending.findall("uws:jobref", namespaces=NS)]
    assert job_id in ids
    for ref in pending.findall("uws:jobref", namespaces=NS):
        assert ref.findtext("uws:phase", namespaces=NS) == "PENDING"
    last = etree.fromstring(httpx.get(f"{live.url}/async", params={"LAST": "1"}).content)
    assert len(last.findall("uws:jobref", namespaces=NS)) == 1
    assert httpx.delete(job_url).status_code == 303


def test_job_survives_a_restart(demo_sqlite, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tap.conftest import start_service, stop_service

    service, server = start_service(demo_sqlite, tmp_path)
    job_url = _job(service.url, QUERY=QUERY, PHASE="RUN")
    assert _wait_final(job_url) == "COMPLETED"
    job_id = job_url.rsplit("/", 1)[1]
    stop_service(service, server)
    again, server2 = start_service(demo_sqlite, tmp_path)
    try:
        doc = etree.fromstring(httpx.get(f"{again.url}/async/{job_id}").content)
        assert doc.findtext("uws:phase", namespaces=NS) == "COMPLETED"
        result = httpx.get(f"{again.url}/async/{job_id}/results/result")
        assert len(parse_single_table(io.BytesIO(result.content)).array) == 20
    finally:
        stop_service(again, server2)


SLOW = ("SELECT COUNT(*) FROM ivoa.obscore AS a, ivoa.obscore AS b, ivoa.obscore AS c "
        "WHERE a.s_ra + b.s_ra > c.s_ra")


def test_abort_cancels_the_running_query(live) -> None:  # type: ignore[no-untyped-def]
    job_url = _job(live.url, QUERY=SLOW, PHASE="RUN")
    for _ in range(100):
        if _phase(job_url) == "EXECUTING":
            break
        time.sleep(0.1)
    time.sleep(0.5)
    started = time.monotonic()
    httpx.post(f"{job_url}/phase", data={"PHASE": "ABORT"})
    assert _phase(job_url) == "ABORTED"
    if live.engine.dialect.name == "postgresql":
        import sqlalchemy as sa
        for _ in range(50):
            with live.engine.connect() as conn:
                running = conn.execute(sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                    "AND query LIKE '%COUNT(*)%q1%' AND pid <> pg_backend_pid()")
                ).scalar_one()
            if running == 0:
                break
            time.sleep(0.1)
        assert running == 0
    assert time.monotonic() - started < 10


def test_execution_duration_is_enforced(live) -> None:  # type: ignore[no-untyped-def]
    job_url = _job(live.url, QUERY=SLOW)
    httpx.post(f"{job_url}/executionduration", data={"EXECUTIONDURATION": "1"})
    started = time.monotonic()
    httpx.post(f"{job_url}/phase", data={"PHASE": "RUN"})
    assert _wait_final(job_url) == "ERROR"
    assert time.monotonic() - started < 15
    doc = etree.fromstring(httpx.get(job_url).content)
    assert "time limit" in doc.findtext("uws:errorSummary/uws:message", namespaces=NS)


def test_sweeper_removes_expired_jobs_and_results(live) -> None:  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    from obsportal.service.settings import Settings
    from obsportal.service.uws.store import JobStore
    from obsportal.service.uws.worker import JobRunner

    job_url = _job(live.url, QUERY=QUERY, PHASE="RUN")
    assert _wait_final(job_url) == "COMPLETED"
    job_id = job_url.rsplit("/", 1)[1]
    store = JobStore(live.engine, live.data_dir / "results")
    result = store.get(job_id).result_path
    assert result and __import__("os").path.exists(result)
    with live.engine.begin() as conn:
        table = "uws.job" if live.engine.dialect.name == "postgresql" else "uws_job"
        conn.execute(sa.text(f"UPDATE {table} SET destruction_time = :t WHERE job_id = :j"),
                     {"t": "2000-01-01 00:00:00", "j": job_id})
    runner = JobRunner(store, live.engine, Settings(data_dir=live.data_dir))
    assert runner.sweep() >= 1
    assert httpx.get(job_url).status_code == 404
    assert not __import__("os").path.exists(result)
