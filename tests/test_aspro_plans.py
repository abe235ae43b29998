"""ASPRO2 planning files → planned OBs (``harvesters/aspro_plans.py``).

Own fixtures (``tests/data/plans``, written for the project) always run; the real a2p2 /
ASPRO2 samples in ``../shared`` run when that material is beside the clone.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from obsportal.harvesters.aspro_plans import (
    PlanFileError,
    PlannedCalibrator,
    PlannedOB,
    plans_from_asprox,
    read_obxml,
    read_plan_file,
)
from obsportal.harvesters.derive.stations import load_stations

PLANS = Path(__file__).resolve().parent / "data" / "plans"
DATA = "external/data"
NOMINAL = f"{DATA}/aspro-config/obsportal-samples/a2p2-aspro-sample.obxml"
NEGATIVE = f"{DATA}/a2p2/obxml"
INSTRUMENTS = {"GRAVITY", "MATISSE", "PIONIER", "AMBER", "MIDI", "MIRC-X", "MYSTIC", "SPICA",
               "CLIMB", "CLASSIC", "PAVO", "VEGA", "MIRC", "JOUFLU", "FRIEND"}


def _sample(shared_dir: Path, relative: str) -> Path:
    path = shared_dir / relative
    if not path.exists():
        pytest.skip(f"shared sample {relative} is absent from {shared_dir}")
    return path


def _edited(tmp_path: Path, fixture: str, old: str, new: str) -> Path:
    text = (PLANS / fixture).read_text()
    assert old in text, old
    path = tmp_path / fixture
    path.write_text(text.replace(old, new))
    return path


def _only(plans: list[PlannedOB]) -> PlannedOB:
    assert len(plans) == 1, [p.name for p in plans]
    return plans[0]


# --- own fixtures -----------------------------------------------------------------------------

def test_minimal_obxml() -> None:
    plan = _only(read_obxml(PLANS / "minimal.obxml"))
    assert plan.name == "SCI_STAR" and plan.target_name == "Fixture Science Star"
    assert plan.ra_deg == pytest.approx(97.5) and plan.dec_deg == pytest.approx(-30.25)
    assert [(c.name, c.ra_deg, c.dec_deg) for c in plan.calibrators] == [
        ("Fixture Calibrator", pytest.approx(101.4), pytest.approx(5.1))]
    assert isinstance(plan.calibrators[0], PlannedCalibrator)
    assert plan.sequence == ("SCI", "CAL")  # the file's schedule, not ASPRO2's CAL SCI CAL
    assert (plan.interferometer, plan.period) == ("VLTI", "112")
    assert (plan.instrument, plan.aspro_instrument, plan.instrument_mode) == \
        ("MATISSE", "MATISSE_LM", "SI_PHOT_LM_LOW")
    assert plan.stations == ("UT1", "UT2", "UT4")  # written U1 U2 U4
    assert (plan.ha_min, plan.ha_max) == (-3.5, 2.75)  # span of two HA intervals
    assert plan.lst_intervals == ((3.0, 5.5), (7.5, 9.25))
    assert plan.exposure_time_s == 240.0
    assert plan.issues == ()


def test_planned_obs_are_frozen() -> None:
    plan = _only(read_obxml(PLANS / "minimal.obxml"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.name = "other"  # type: ignore[misc]
    assert hash(plan) == hash(_only(read_obxml(PLANS / "minimal.obxml")))


def test_asprox_with_calibrator_list() -> None:
    plans = plans_from_asprox(PLANS / "chara_calibrated.asprox")
    # calibrators (also the unassigned CAL_SPARE) and the fringe-tracker star give no plan
    assert [p.name for p in plans] == ["SCI_A", "SCI_B"]
    a, b = plans
    assert a.target_name == "Fixture A"
    assert (a.ra_deg, a.dec_deg) == (pytest.approx(210.0), pytest.approx(20.5))
    assert [c.name for c in a.calibrators] == ["Fixture Cal 2", "Fixture Cal 1"]  # file order
    assert a.calibrators[0].ra_deg == pytest.approx(211.5)
    assert a.sequence == ("CAL", "SCI", "CAL")
    assert (a.ha_min, a.ha_max) == (-2.5, 3.0) and a.lst_intervals == ()
    assert (a.interferometer, a.period) == ("CHARA", "2024A")
    assert (a.instrument, a.aspro_instrument, a.instrument_mode) == \
        ("MYSTIC", "MIRCX-MYSTIC", "Low_K")
    assert a.stations == ("S1", "S2", "E1", "E2", "W1", "W2")
    assert a.exposure_time_s == 300.0 and a.issues == ()
    assert b.calibrators == () and b.sequence == ("SCI",)
    assert (b.ha_min, b.ha_max) == (None, None) and b.issues == ()


def test_mirc_x_modes_and_legacy_names(tmp_path: Path) -> None:
    path = _edited(tmp_path, "chara_calibrated.asprox",
                   "<name>MIRCX-MYSTIC</name>", "<name>MIRCX</name>")
    path.write_text(path.read_text().replace("Low_K", "Low_H"))
    plan = plans_from_asprox(path)[0]
    assert (plan.instrument, plan.aspro_instrument) == ("MIRC-X", "MIRCX")
    assert plan.issues == ()


def test_read_plan_file_dispatches_on_the_root() -> None:
    assert read_plan_file(PLANS / "minimal.obxml") == read_obxml(PLANS / "minimal.obxml")
    assert read_plan_file(PLANS / "chara_calibrated.asprox") == \
        plans_from_asprox(PLANS / "chara_calibrated.asprox")


def test_broken_xml_names_the_file() -> None:
    for reader in (read_plan_file, read_obxml, plans_from_asprox):
        with pytest.raises(PlanFileError, match=r"broken\.obxml: not readable XML"):
            reader(PLANS / "broken.obxml")


def test_wrong_root_is_not_a_plan() -> None:
    with pytest.raises(PlanFileError, match=r"wrong_root\.xml: not an ASPRO2 plan file "
                                            r"\(root element .*observations"):
        read_plan_file(PLANS / "wrong_root.xml")
    with pytest.raises(PlanFileError, match=r"chara_calibrated\.asprox: root element "
                                            r".*observationSetting is not "
                                            r"observingBlockDefinition"):
        read_obxml(PLANS / "chara_calibrated.asprox")
    with pytest.raises(PlanFileError, match=r"minimal\.obxml: root element"):
        plans_from_asprox(PLANS / "minimal.obxml")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PlanFileError, match=r"absent\.obxml: not readable XML"):
        read_plan_file(tmp_path / "absent.obxml")


def test_foreign_namespace_is_not_a_plan(tmp_path: Path) -> None:
    path = _edited(tmp_path, "minimal.obxml", "http://www.jmmc.fr/aspro-ob/0.1",
                   "http://example.org/not-aspro")
    with pytest.raises(PlanFileError, match="namespace"):
        read_plan_file(path)


@pytest.mark.parametrize(("old", "new", "issue"), [
    ("<RA>06:30:00.000</RA>", "<RA>06:30:00.00</RA>",
     "Fixture Science Star: RA '06:30:00.00' has too few digits (2 decimals"),
    ("<DEC>-30:15:00.00</DEC>", "<DEC>-30:15:00.0</DEC>",
     "Fixture Science Star: DEC '-30:15:00.0' has too few digits (1 decimals"),
    ("<DEC>+05:06:00.00</DEC>", "<DEC>+05:06:00</DEC>",
     "Fixture Calibrator: DEC '+05:06:00' has too few digits (0 decimals"),
    ("<FLUX_K>6.5</FLUX_K>", "<FLUX_K>-5.5</FLUX_K>",
     "Fixture Science Star: FLUX_K -5.5 out of range [-5, 30]"),
    ("<FLUX_K>5.0</FLUX_K>", "<FLUX_K>bright</FLUX_K>",
     "Fixture Calibrator: FLUX_K 'bright' is not a number"),
    ("SI_PHOT_LM_LOW", "SI_PHOT_N_LOW",
     "instrument mode SI_PHOT_N_LOW is not an ASPRO2 mode of MATISSE_LM"),
    ("<instrumentMode>SI_PHOT_LM_LOW</instrumentMode>", "",
     "no instrument mode given for MATISSE_LM"),
    ("<name>MATISSE_LM</name>", "<name>NAOMI</name>",
     "instrument 'NAOMI' is not an ASPRO2 focal instrument"),
    ("<name>MATISSE_LM</name>", "<name>SPICA</name>",
     "instrument SPICA is not an instrument of VLTI"),
    ("U1 U2 U4", "U1 U2 Z9", "station Z9 is not a VLTI station"),
    ("<HAinterval>1.00/2.75</HAinterval>", "<HAinterval>soon</HAinterval>",
     "HAinterval 'soon' is not start/end in hours"),
    ("<LSTinterval>07:30/09:15</LSTinterval>", "<LSTinterval>07:30/25:00</LSTinterval>",
     "LSTinterval '07:30/25:00' outside [0, 24] h"),
    ('<OB ref="CAL_STAR"/>', '<OB ref="CAL_GONE"/>', "schedule refers to unknown observation "
                                                     "'CAL_GONE'"),
    ("<EQUINOX>2000.0</EQUINOX>", "<EQUINOX>1950.0</EQUINOX>",
     "EQUINOX 1950.0 is not J2000"),
])
def test_content_problems_are_issues_not_errors(tmp_path: Path, old: str, new: str,
                                                issue: str) -> None:
    plan = _only(read_obxml(_edited(tmp_path, "minimal.obxml", old, new)))
    assert any(issue in found for found in plan.issues), plan.issues
    assert plan.ra_deg is not None and plan.dec_deg is not None


@pytest.mark.parametrize(("ra", "dec", "issue"), [
    ("6h30m", "-30:15:00.00", "RA '6h30m' is not sexagesimal HH:MM:SS.sss"),
    ("24:00:00.000", "-30:15:00.00", "RA '24:00:00.000' is out of range"),
    ("-06:30:00.000", "-30:15:00.00", "RA '-06:30:00.000' is out of range"),
    ("06:30:00.000", "-30:75:00.00", "DEC '-30:75:00.00' is out of range"),
    ("06:30:00.000", "-95:00:00.00", "DEC '-95:00:00.00' is out of range"),
    ("06:30:00.000", "", "no DEC"),
])
def test_unusable_coordinates_give_no_position(tmp_path: Path, ra: str, dec: str,
                                               issue: str) -> None:
    path = _edited(tmp_path, "minimal.obxml",
                   "<RA>06:30:00.000</RA>\n            <DEC>-30:15:00.00</DEC>",
                   f"<RA>{ra}</RA>\n            <DEC>{dec}</DEC>")
    plan = _only(read_obxml(path))
    assert (plan.ra_deg, plan.dec_deg) == (None, None)
    assert any(issue in found for found in plan.issues), plan.issues


def test_negative_declination_between_0_and_minus_1_degree(tmp_path: Path) -> None:
    path = _edited(tmp_path, "minimal.obxml", "<DEC>-30:15:00.00</DEC>",
                   "<DEC>-00:30:00.00</DEC>")
    assert _only(read_obxml(path)).dec_deg == pytest.approx(-0.5)


def test_asprox_problems_are_issues(tmp_path: Path) -> None:
    path = _edited(tmp_path, "chara_calibrated.asprox", "<calibrators>CAL_2 CAL_1</calibrators>",
                   "<calibrators>CAL_2 CAL_GONE</calibrators>")
    path.write_text(path.read_text().replace("<HAMax>3.0</HAMax>", "<HAMax>13.0</HAMax>")
                    .replace("<name>CHARA 2024A</name>", "<name>NPOI</name>"))
    a = plans_from_asprox(path)[0]
    assert [c.name for c in a.calibrators] == ["Fixture Cal 2"]
    assert "calibrator 'CAL_GONE' of Fixture A is not a target of the session" in a.issues
    assert "Fixture A: hour angle 13.0 outside [-12, 12] h" in a.issues
    assert "interferometer 'NPOI' is not VLTI or CHARA" in a.issues
    assert "instrument MIRCX-MYSTIC is not an instrument of NPOI" not in a.issues


# --- real samples (../shared) -------------------------------------------------------------------

def test_nominal_a2p2_obxml(shared_dir: Path) -> None:
    plan = _only(read_plan_file(_sample(shared_dir, NOMINAL)))
    assert (plan.name, plan.target_name) == ("HD_17081", "HD 17081")
    assert plan.ra_deg == pytest.approx((2 + 44 / 60 + 7.34928 / 3600) * 15)
    assert plan.dec_deg == pytest.approx(-(13 + 51 / 60 + 31.3130 / 3600))
    assert [(c.name, c.ra_deg, c.dec_deg) for c in plan.calibrators] == [
        ("HD 16825", pytest.approx((2 + 41 / 60 + 34.128 / 3600) * 15),
         pytest.approx(-(14 + 32 / 60 + 57.42 / 3600)))]
    assert plan.sequence == ("CAL", "SCI", "CAL")
    assert (plan.interferometer, plan.period) == ("VLTI", "100")
    assert (plan.instrument, plan.aspro_instrument, plan.instrument_mode) == \
        ("GRAVITY", "GRAVITY", "LOW-COMBINED")
    assert plan.stations == ("UT1", "UT2", "UT3", "UT4")
    assert (plan.ha_min, plan.ha_max) == (-4.20, 3.18)
    assert plan.lst_intervals == ((pytest.approx(22 + 32 / 60), pytest.approx(5 + 55 / 60)),)
    assert plan.exposure_time_s is None  # the sample has no acquisitionTime
    assert plan.issues == ()


@pytest.mark.parametrize(("sample", "issues"), [
    ("aspro-sample-bad-coords.obxml",
     ("HD 17081: RA '02:44:07.34' has too few digits (2 decimals of seconds, "
      "HH:MM:SS.sss needs 3)",
      "HD 17081: DEC '-13:51:31.3' has too few digits (1 decimals of seconds, "
      "±DD:MM:SS.ss needs 2)")),
    ("aspro-sample-bad-insmode.obxml",
     ("instrument mode UNKNOWN-COMBINED is not an ASPRO2 mode of GRAVITY",)),
    ("aspro-sample-bad-k.obxml", ("HD 17081: FLUX_K 40.505 out of range [-5, 30]",)),
])
def test_negative_a2p2_samples(shared_dir: Path, sample: str, issues: tuple[str, ...]) -> None:
    nominal = _only(read_obxml(_sample(shared_dir, NOMINAL)))
    plan = _only(read_obxml(_sample(shared_dir, f"{NEGATIVE}/{sample}")))
    assert plan.issues == issues
    # the rest still parses as the nominal OB does; truncated digits move the star < 0.2"
    assert plan.ra_deg == pytest.approx(nominal.ra_deg, abs=0.2 / 3600)
    assert plan.dec_deg == pytest.approx(nominal.dec_deg, abs=0.2 / 3600)
    assert (plan.calibrators, plan.sequence, plan.stations, plan.ha_min, plan.ha_max) == \
        (nominal.calibrators, nominal.sequence, nominal.stations, nominal.ha_min,
         nominal.ha_max)
    if "insmode" in sample:
        assert plan.instrument_mode == "UNKNOWN-COMBINED"


def _shared_sessions(shared_dir: Path) -> list[Path]:
    sessions = sorted((shared_dir / DATA / "aspro2/asprox").glob("*.asprox")) + \
        sorted((shared_dir / DATA / "aspro-config/obsportal-samples").glob("*.asprox")) + \
        sorted((shared_dir / DATA / "a2p2").glob("*.asprox"))
    if not sessions:
        pytest.skip(f"no shared .asprox samples under {shared_dir / DATA}")
    return sessions


def test_every_shared_asprox_sample_parses(shared_dir: Path) -> None:
    sessions = _shared_sessions(shared_dir)
    assert len(sessions) >= 10
    known = {(site, name) for site in ("VLTI", "CHARA") for name in load_stations(site)}
    for path in sessions:
        plans = read_plan_file(path)
        assert plans, path.name
        for plan in plans:
            assert plan.interferometer in ("VLTI", "CHARA"), path.name
            assert plan.instrument in INSTRUMENTS, (path.name, plan.instrument)
            assert plan.instrument_mode, path.name
            assert len(plan.stations) >= 2, path.name
            assert all((plan.interferometer, s) in known for s in plan.stations), path.name
            assert plan.ra_deg is not None and 0 <= plan.ra_deg < 360, path.name
            assert plan.exposure_time_s is not None and plan.exposure_time_s > 0, path.name
            assert plan.issues == (), (path.name, plan.issues)
        assert len({p.name for p in plans}) == len(plans), path.name


def test_shared_session_with_calibrators(shared_dir: Path) -> None:
    path = _sample(shared_dir,
                   f"{DATA}/aspro-config/obsportal-samples/Aspro2_sample_with_calibrators.asprox")
    plans = {p.name: p for p in plans_from_asprox(path)}
    # 11 targets: 8 flagged calibrators (HD 5164 assigned to no science target) → 3 plans
    assert sorted(plans) == ["ETA_TAU", "HD_1234", "HIP1234"]
    hip = plans["HIP1234"]
    assert [c.name for c in hip.calibrators] == [
        "HD 1583", "HD 112", "HD 2315", "HD 1996", "HIP 1079", "HD 224895", "HD 2839"]
    assert hip.calibrators[0].ra_deg == pytest.approx((20 / 60 + 14.4627952104 / 3600) * 15)
    assert hip.sequence == ("CAL", "SCI", "CAL")
    assert (hip.period, hip.instrument, hip.instrument_mode) == ("112", "GRAVITY",
                                                                 "LOW-COMBINED")
    assert hip.stations == ("K0", "G2", "D0", "J3") and hip.exposure_time_s == 600.0
    assert (hip.ha_min, hip.ha_max) == (-12.0, 12.0)
    assert (plans["HD_1234"].ha_min, plans["HD_1234"].ha_max) == (-4.0, 4.0)
    assert plans["ETA_TAU"].calibrators == () and plans["ETA_TAU"].sequence == ("SCI",)
    assert (plans["ETA_TAU"].ha_min, plans["ETA_TAU"].ha_max) == (None, None)


def test_shared_multi_configuration_session(shared_dir: Path) -> None:
    path = _sample(shared_dir, f"{DATA}/aspro2/asprox/Aspro2_sample_multi.asprox")
    plans = plans_from_asprox(path)
    assert len(plans) == 9  # 3 targets x 3 variants
    assert [p.stations for p in plans[:3]] == [("A0", "G1", "J2", "K0"),
                                              ("K0", "G2", "D0", "J3"),
                                              ("A0", "B2", "D0", "C1")]
    assert plans[0].name == "HIP1234@A0-G1-J2-K0"
    assert {p.target_name for p in plans} == {"HIP1234", "ETA TAU", "HD 1234"}


def test_shared_fringe_tracker_star_is_not_a_plan(shared_dir: Path) -> None:
    path = _sample(shared_dir, f"{DATA}/aspro2/asprox/GRAV_sample_FT_SCI_1uv_UT.asprox")
    plan = _only(plans_from_asprox(path))  # Sirius A is Sirius B's AO and FT star
    assert (plan.name, plan.target_name) == ("Sirius_B", "Sirius B")
    assert plan.stations == ("UT1", "UT2", "UT3", "UT4")
    assert (plan.period, plan.instrument_mode) == ("113", "MEDIUM-COMBINED")
    assert (plan.ha_min, plan.ha_max) == (0.0, 1.0)


def test_shared_chara_vega_session(shared_dir: Path) -> None:
    path = _sample(shared_dir, f"{DATA}/aspro2/asprox/CHARA_DYN_CONF.asprox")
    plans = plans_from_asprox(path)
    assert [p.name for p in plans] == ["HIP1234", "ETA_TAU", "HD_1234"]
    for plan in plans:
        assert (plan.interferometer, plan.period) == ("CHARA", None)
        assert (plan.instrument, plan.aspro_instrument, plan.instrument_mode) == \
            ("VEGA", "VEGA_3T", "R2656")
        assert plan.stations == ("W2", "W1", "E2") and plan.exposure_time_s == 300.0


def test_shared_a2p2_template_pionier_alias(shared_dir: Path) -> None:
    plan = _only(plans_from_asprox(_sample(shared_dir, f"{DATA}/a2p2/models_template.asprox")))
    # ASPRO2 still calls PIONIER_2 "PIONIER" (its alias): GRISM-H is a PIONIER_2 mode
    assert (plan.instrument, plan.aspro_instrument, plan.instrument_mode) == \
        ("PIONIER", "PIONIER", "GRISM-H")
    assert (plan.target_name, plan.period) == ("eta Tau", "109") and plan.issues == ()
