"""Shared fixtures: real backends only.

* ``pg_server``: a private PostgreSQL 15 + pg_sphere server for the session
  (started as the ``postgres`` user when the tests run as root). Without
  PostgreSQL the PostgreSQL tests are skipped with the reason — unless
  ``OBSPORTAL_REQUIRE_POSTGRES=1`` (set by ``tests/run``), where they fail.
* ``pg_engine``: a database on it with the full schema, shared by read-only tests.
* ``new_pg_engine`` / ``sqlite_engine``: empty migrated databases for tests that write.
* ``shared_dir``: ``../shared`` beside the clone, or a skip saying it is absent.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pg_server import PgServer, find_pg_bin, pg_server, pgsphere_installed

from obsportal.service.storage.engine import make_engine
from obsportal.service.storage.schema_setup import upgrade

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def _unavailable(reason: str) -> None:
    if os.environ.get("OBSPORTAL_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"PostgreSQL is required here but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_server_session() -> Iterator[PgServer]:
    pg_bin = find_pg_bin()
    if pg_bin is None:
        _unavailable("PostgreSQL server binaries (initdb) are not installed")
        return
    if not pgsphere_installed(pg_bin):
        _unavailable("the pg_sphere extension (Debian postgresql-15-pgsphere) is not installed")
        return
    with pg_server(pg_bin) as server:
        yield server


_db_counter = itertools.count()


@pytest.fixture(scope="session")
def make_pg_database(pg_server_session: PgServer) -> Callable[[bool], sa.Engine]:
    """Factory: a new database on the private server, migrated when ``migrate``."""
    admin = sa.create_engine(pg_server_session.url(), isolation_level="AUTOCOMMIT")
    engines: list[sa.Engine] = []

    def make(migrate: bool = True) -> sa.Engine:
        name = f"obsportal_test_{next(_db_counter)}"
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
        engine = make_engine(pg_server_session.url(name))
        if migrate:
            upgrade(engine)
        engines.append(engine)
        return engine

    yield make  # type: ignore[misc]
    for engine in engines:
        engine.dispose()
    admin.dispose()


@pytest.fixture(scope="session")
def pg_engine(make_pg_database: Callable[[bool], sa.Engine]) -> sa.Engine:
    """A migrated database shared by the session (tests must not depend on its rows)."""
    return make_pg_database(True)


@pytest.fixture
def new_pg_engine(make_pg_database: Callable[[bool], sa.Engine]) -> sa.Engine:
    return make_pg_database(True)


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[sa.Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'obsportal.sqlite'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_engine(request: pytest.FixtureRequest) -> sa.Engine:
    """The same test on both backends."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_engine")  # type: ignore[no-any-return]
    return request.getfixturevalue("new_pg_engine")  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"../shared material is absent (looked for {SHARED}); "
                    "it is only beside the clone in CI")
    return SHARED


DEMO = REPO / "service" / "demo" / "obslog_demo.csv.gz"


@pytest.fixture(scope="session")
def demo_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    """An embedded database with the bundled demo log (read-only use)."""
    from obsportal.harvesters.runner import harvest_files

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    harvest_files(engine, [DEMO])
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def demo_pg(make_pg_database: Callable[[bool], sa.Engine]) -> sa.Engine:
    """A PostgreSQL database with the bundled demo log (read-only use)."""
    from obsportal.harvesters.runner import harvest_files

    engine = make_pg_database(True)
    harvest_files(engine, [DEMO])
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    return engine
