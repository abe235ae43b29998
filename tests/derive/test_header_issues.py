"""Header issues: recorded pointing or OBJECT that disagree with the resolved target."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from obsportal.harvesters.derive.header_issues import check_exposure


def test_agreeing_header_is_not_an_issue() -> None:
    assert check_exposure("HD_1234", 10.0, -20.0, "HD 1234", 10.0001, -20.0) is None


def test_position_name_and_both() -> None:
    far = check_exposure("HD 1234", 10.0, -20.0 + 30 / 3600, "HD 1234", 10.0, -20.0)
    assert far is not None and far.kind == "position"
    assert far.separation_arcsec == pytest.approx(30.0, rel=1e-6)
    renamed = check_exposure("STD", 10.0, -20.0, "HD 1234", 10.0, -20.0)
    assert renamed is not None and renamed.kind == "name" and "STD" in renamed.detail
    both = check_exposure("STD", 10.0, -19.9, "HD 1234", 10.0, -20.0)
    assert both is not None and both.kind == "both"
    alias = check_exposure("V* AB Aur", 10.0, -20.0, "HD 31293", 10.0, -20.0,
                           "V* AB Aur|HIP 22910")
    assert alias is None


def test_demo_log_reports_the_off_pointings(demo_sqlite: sa.Engine) -> None:
    """The demo generator points ~3 % of exposures an arcminute off their target."""
    with demo_sqlite.connect() as conn:
        total = conn.execute(sa.text("SELECT count(*) FROM obsportal_exposure")).scalar_one()
        issues = conn.execute(sa.text(
            "SELECT count(*) FROM obsportal_header_issue WHERE kind = 'position'")).scalar_one()
    assert 0.005 * total < issues < 0.08 * total


def test_header_issue_rows_from_eso_frames(sqlite_engine: sa.Engine, tmp_path: Path) -> None:
    from test_eso_files import _frame

    from obsportal.harvesters.runner import harvest_eso_files
    _frame(tmp_path / "a.fits")
    _frame(tmp_path / "b.fits", ARCFILE="GRAVI.2016-06-23T03:30:00.000.fits",
           OBJECT="STD", DEC=-38.06696 + 60 / 3600, **{"MJD-OBS": 57562.146})
    harvest_eso_files(sqlite_engine, [tmp_path])
    with sqlite_engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT kind, header_object, round(separation) FROM obsportal_header_issue")).all()
    assert [tuple(r) for r in rows] == [("both", "STD", 60.0)]


def test_report_command(sqlite_engine: sa.Engine, tmp_path: Path,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    import csv
    import io

    from astropy.io.votable import parse_single_table
    from test_eso_files import _frame
    from typer.testing import CliRunner

    from obsportal.harvesters.runner import harvest_eso_files
    from obsportal.service.cli import app
    from obsportal.service.settings import get_settings

    _frame(tmp_path / "b.fits", OBJECT="STD")
    harvest_eso_files(sqlite_engine, [tmp_path / "b.fits"])
    monkeypatch.setenv("OBSPORTAL_DATABASE_URL", str(sqlite_engine.url))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["report", "header-issues"])
        out = tmp_path / "issues.xml"
        as_votable = CliRunner().invoke(app, ["report", "header-issues", "--format",
                                              "votable", "-o", str(out)])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert rows[0]["dp_id"] == "GRAVI.2016-06-23T03:10:17.458" and rows[0]["kind"] == "name"
    assert as_votable.exit_code == 0
    assert len(parse_single_table(str(out)).array) == 1
