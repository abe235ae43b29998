"""UWS 1.1 XML documents: job, job list, and the bare-value resources."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from lxml import etree

from .store import Job

UWS_NS = "http://www.ivoa.net/xml/UWS/v1.0"
XLINK_NS = "http://www.w3.org/1999/xlink"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
_NSMAP = {"uws": UWS_NS, "xlink": XLINK_NS, "xsi": XSI_NS}
_NIL = f"{{{XSI_NS}}}nil"


def iso(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def _el(parent: etree._Element, name: str, text: str | None = None,
        nil: bool = False) -> etree._Element:
    elem = etree.SubElement(parent, f"{{{UWS_NS}}}{name}")
    if text is not None:
        elem.text = text
    elif nil:
        elem.set(_NIL, "true")
    return elem


def job_element(job: Job, job_url: str) -> etree._Element:
    root = etree.Element(f"{{{UWS_NS}}}job", nsmap=_NSMAP)
    root.set("version", "1.1")
    _el(root, "jobId", job.job_id)
    if job.run_id:
        _el(root, "runId", job.run_id)
    _el(root, "ownerId", job.owner, nil=True)
    _el(root, "phase", job.phase)
    _el(root, "quote", iso(job.quote) or None, nil=True)
    _el(root, "creationTime", iso(job.creation_time))
    _el(root, "startTime", iso(job.start_time) or None, nil=True)
    _el(root, "endTime", iso(job.end_time) or None, nil=True)
    _el(root, "executionDuration", str(job.execution_duration))
    _el(root, "destruction", iso(job.destruction_time))
    params = _el(root, "parameters")
    for name, value in sorted(job.parameters.items()):
        param = _el(params, "parameter", value)
        param.set("id", name)
    for name in sorted(job.uploads):
        param = _el(params, "parameter", f"{job_url}/uploads/{name}")
        param.set("id", name)
        param.set("byReference", "true")
    results = _el(root, "results")
    if job.phase == "COMPLETED" and job.result_path:
        result = _el(results, "result")
        result.set("id", "result")
        result.set(f"{{{XLINK_NS}}}href", f"{job_url}/results/result")
        result.set(f"{{{XLINK_NS}}}type", "simple")
        if job.result_mime:
            result.set("mime-type", job.result_mime)
        if job.result_size is not None:
            result.set("size", str(job.result_size))
    if job.phase == "ERROR" and job.error_summary:
        summary = _el(root, "errorSummary")
        summary.set("type", job.error_type or "fatal")
        summary.set("hasDetail", "true")
        _el(summary, "message", job.error_summary)
    return root


def job_document(job: Job, job_url: str) -> bytes:
    return etree.tostring(job_element(job, job_url), xml_declaration=True, encoding="UTF-8")


def job_list_document(jobs: Iterable[Job], list_url: str) -> bytes:
    root = etree.Element(f"{{{UWS_NS}}}jobs", nsmap=_NSMAP)
    root.set("version", "1.1")
    for job in jobs:
        ref = _el(root, "jobref")
        ref.set("id", job.job_id)
        ref.set(f"{{{XLINK_NS}}}href", f"{list_url}/{job.job_id}")
        ref.set(f"{{{XLINK_NS}}}type", "simple")
        _el(ref, "phase", job.phase)
        if job.run_id:
            _el(ref, "runId", job.run_id)
        _el(ref, "ownerId", job.owner, nil=True)
        _el(ref, "creationTime", iso(job.creation_time))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def results_document(job: Job, job_url: str) -> bytes:
    root = etree.Element(f"{{{UWS_NS}}}results", nsmap=_NSMAP)
    results = job_element(job, job_url).find(f"{{{UWS_NS}}}results")
    for elem in (list(results) if results is not None else []):
        root.append(elem)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def parameters_document(job: Job, job_url: str) -> bytes:
    params = job_element(job, job_url).find(f"{{{UWS_NS}}}parameters")
    assert params is not None
    root = etree.Element(f"{{{UWS_NS}}}parameters", nsmap=_NSMAP)
    for elem in params:
        root.append(elem)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
