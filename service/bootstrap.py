"""Get a database ready for the service: the embedded first-run path.

An empty embedded (SQLite) database is created and filled with the bundled
demo log, so ``obsportal serve`` gives a newcomer a working TAP service with
no database server. A PostgreSQL database is never migrated implicitly:
production runs ``obsportal db upgrade`` as a deliberate step.
"""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

import sqlalchemy as sa

from ..harvesters.runner import HarvestReport, harvest_files
from .settings import Settings
from .storage.engine import make_engine
from .storage.schema_setup import count_exposures, is_initialised, rebuild_derived, upgrade

log = logging.getLogger("obsportal.bootstrap")

DEMO_FILE = "obslog_demo.csv.gz"


class DatabaseNotReadyError(RuntimeError):
    """The configured database has no schema yet."""


def demo_path() -> Path:
    """Path of the bundled demo log."""
    return Path(str(resources.files("obsportal.service") / "demo" / DEMO_FILE))


def load_demo(engine: sa.Engine, settings: Settings) -> HarvestReport:
    report = harvest_files(engine, [demo_path()], source="demo",
                           publisher_authority=settings.publisher_authority)
    log.info("demo data loaded", extra={"rows": report.loaded, "rejected": len(report.bad_rows)})
    return report


def prepare_database(settings: Settings) -> sa.Engine:
    """Engine of the configured database, created and filled first if embedded."""
    if settings.is_embedded:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.effective_database_url)
    if settings.is_embedded:
        fresh = not is_initialised(engine)
        upgrade(engine)
        if fresh and settings.load_demo and count_exposures(engine) == 0:
            load_demo(engine, settings)
        return engine
    if not is_initialised(engine):
        raise DatabaseNotReadyError(
            "the database has no ObsPortal schema: run `obsportal db upgrade` first")
    rebuild_derived(engine)
    return engine
