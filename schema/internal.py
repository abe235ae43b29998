"""Storage-only tables: UWS jobs and harvest bookkeeping.

They live in the database like the rest (jobs survive restarts and are shared
by several service processes) but are never published through TAP.
"""

from __future__ import annotations

from .model import AdqlType as T
from .model import Column, Index, Table

UWS_JOB = Table(
    schema="uws",
    name="job",
    description="UWS 1.1 jobs of the TAP async endpoint.",
    published=False,
    columns=(
        Column("job_id", T.VARCHAR, "Job identifier.", primary_key=True, nullable=False),
        Column("owner", T.VARCHAR, "Owner identity, NULL for anonymous."),
        Column("run_id", T.VARCHAR, "Client-supplied RUNID."),
        Column("phase", T.VARCHAR, "UWS phase.", nullable=False),
        Column("parameters", T.CLOB, "Job parameters as JSON.", nullable=False),
        Column("creation_time", T.TIMESTAMP, "Creation time.", nullable=False),
        Column("start_time", T.TIMESTAMP, "Start of execution."),
        Column("end_time", T.TIMESTAMP, "End of execution."),
        Column("execution_duration", T.INTEGER, "Allowed run time (s), 0 = unlimited.",
               nullable=False),
        Column("destruction_time", T.TIMESTAMP, "When the job is deleted.", nullable=False),
        Column("quote", T.TIMESTAMP, "Estimated completion time."),
        Column("error_summary", T.CLOB, "Error message of a failed job."),
        Column("error_type", T.VARCHAR, "transient or fatal."),
        Column("result_path", T.VARCHAR, "File holding the result document."),
        Column("result_mime", T.VARCHAR, "MIME type of the result."),
        Column("result_size", T.BIGINT, "Size of the result in bytes."),
        Column("result_rows", T.BIGINT, "Rows in the result."),
        Column("worker", T.VARCHAR, "Worker that claimed the job."),
        Column("backend_pid", T.INTEGER, "Database backend running the query (abort)."),
    ),
    indexes=(Index("ix_uws_job_phase", ("phase",)), Index("ix_uws_job_owner", ("owner",))),
)

HARVEST_RUN = Table(
    schema="obsportal",
    name="harvest_run",
    description="One run of a harvester with its counts.",
    published=False,
    columns=(
        Column("run_id", T.BIGINT, "Run key.", primary_key=True, nullable=False,
               autoincrement=True),
        Column("source", T.VARCHAR, "Harvester name.", nullable=False),
        Column("started", T.TIMESTAMP, "Start time.", nullable=False),
        Column("finished", T.TIMESTAMP, "End time."),
        Column("status", T.VARCHAR, "running, done, failed.", nullable=False),
        Column("n_new", T.INTEGER, "New records."),
        Column("n_updated", T.INTEGER, "Updated records."),
        Column("n_unchanged", T.INTEGER, "Records already up to date."),
        Column("n_failed", T.INTEGER, "Records rejected."),
        Column("message", T.CLOB, "Summary or error."),
    ),
)

HARVEST_STATE = Table(
    schema="obsportal",
    name="harvest_state",
    description="Checkpoint of each incremental harvester.",
    published=False,
    columns=(
        Column("source", T.VARCHAR, "Harvester name.", primary_key=True, nullable=False),
        Column("checkpoint", T.VARCHAR, "Opaque resume point (e.g. last_mod_date)."),
        Column("updated", T.TIMESTAMP, "When the checkpoint was written.", nullable=False),
    ),
)

INTERNAL_TABLES = (UWS_JOB, HARVEST_RUN, HARVEST_STATE)
