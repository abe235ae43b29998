"""Execution matching: hard criteria, the score, its explanation and the tie-break."""

from __future__ import annotations

from dataclasses import replace

import pytest

from obsportal.service.plans.matching import (
    TARGET_TOLERANCE_ARCSEC,
    ExecutionFacts,
    PlanFacts,
    best_match,
    configuration_stations,
    normalise_name,
    score,
)

UTS = frozenset({"UT1", "UT2", "UT3", "UT4"})
ARCSEC = 1 / 3600

PLAN = PlanFacts(
    plan_id=7, ra_deg=83.8221, dec_deg=-5.3911, target_name="HD 37022",
    instrument="GRAVITY", instrument_mode="MEDIUM-COMBINED", stations=UTS,
    configuration=None, window_start_mjd=60000.0, window_end_mjd=60100.0,
)
EXEC = ExecutionFacts(
    ob_exec_id=101, ra_deg=83.8221, dec_deg=-5.3911, target_name="tet01 Ori C",
    instrument="GRAVITY", instrument_mode="MEDIUM-COMBINED", stations=UTS,
    configuration="UT1-UT2-UT3-UT4", mjd_start=60050.25, role="SCI",
)


def test_tolerance_is_ten_arcsec() -> None:
    assert TARGET_TOLERANCE_ARCSEC == 10.0


def test_exact_match_scores_one_with_reasons() -> None:
    m = score(PLAN, EXEC)
    assert m is not None
    assert (m.plan_id, m.ob_exec_id) == (7, 101)
    assert m.rule == "position+instrument+mode+stations+window"
    assert m.score == 1.0
    assert m.separation_arcsec == pytest.approx(0.0, abs=1e-6)
    assert m.reasons[0] == "target 0.0 arcsec from plan (tolerance 10)"
    assert "instrument GRAVITY is the plan's" in m.reasons
    assert "stations UT1-UT2-UT3-UT4 are the plan's stations" in m.reasons
    assert "science execution (role SCI)" in m.reasons
    assert any("inside plan window 60000.00000 to 60100.00000" in r for r in m.reasons)


def test_nine_arcsec_matches_eleven_does_not() -> None:
    near = score(PLAN, replace(EXEC, dec_deg=-5.3911 + 9 * ARCSEC))
    assert near is not None
    assert near.separation_arcsec == pytest.approx(9.0, abs=1e-3)
    # 0.40 - 0.20 * 9/10 for the position, + 0.20 + 0.15 + 0.15 + 0.10
    assert near.score == pytest.approx(0.82)
    assert near.reasons[0] == "target 9.0 arcsec from plan (tolerance 10)"
    assert score(PLAN, replace(EXEC, dec_deg=-5.3911 - 11 * ARCSEC)) is None


def test_separation_in_ra_is_great_circle() -> None:
    # 12 arcsec of RA at dec 60 is 6 arcsec on the sky: inside the tolerance.
    plan = replace(PLAN, ra_deg=150.0, dec_deg=60.0)
    m = score(plan, replace(EXEC, ra_deg=150.0 + 12 * ARCSEC, dec_deg=60.0))
    assert m is not None
    assert m.separation_arcsec == pytest.approx(6.0, abs=1e-3)


def test_ra_wrap_at_zero() -> None:
    plan = replace(PLAN, ra_deg=359.999, dec_deg=10.0)
    m = score(plan, replace(EXEC, ra_deg=0.001, dec_deg=10.0))
    assert m is not None
    # 0.002 deg of RA at dec 10: 7.2 arcsec * cos(10 deg)
    assert m.separation_arcsec == pytest.approx(7.0906, abs=1e-3)
    assert score(plan, replace(EXEC, ra_deg=0.004, dec_deg=10.0)) is None  # 17.7 arcsec


def test_near_the_poles() -> None:
    north = replace(PLAN, ra_deg=0.0, dec_deg=89.9995)
    across = score(north, replace(EXEC, ra_deg=180.0, dec_deg=89.9995))
    assert across is not None
    assert across.separation_arcsec == pytest.approx(3.6, abs=1e-3)
    quarter = score(north, replace(EXEC, ra_deg=90.0, dec_deg=89.9995))
    assert quarter is not None
    assert quarter.separation_arcsec == pytest.approx(1.8 * 2 ** 0.5, abs=1e-3)
    south = replace(PLAN, ra_deg=10.0, dec_deg=-89.99)
    assert score(south, replace(EXEC, ra_deg=190.0, dec_deg=-89.99)) is None  # 72 arcsec


def test_name_fallback_when_a_position_is_missing() -> None:
    plan = replace(PLAN, ra_deg=None, dec_deg=None, target_name="HD 1234")
    m = score(plan, replace(EXEC, target_name="hd_1234"))
    assert m is not None
    assert m.rule == "name+instrument+mode+stations+window"
    assert m.separation_arcsec is None
    assert m.score == pytest.approx(0.75)
    assert m.reasons[0] == ("target name 'hd_1234' matches plan 'HD 1234' "
                            "(no position on both sides)")
    assert score(plan, replace(EXEC, target_name="HD1234")) is not None
    assert score(plan, replace(EXEC, target_name="HD 1235")) is None
    assert score(plan, replace(EXEC, target_name=None)) is None


def test_position_decides_when_both_known() -> None:
    # Same name, but 30 arcsec apart: not the same target.
    plan = replace(PLAN, target_name="X")
    assert score(plan, replace(EXEC, target_name="X", dec_deg=-5.3911 + 30 * ARCSEC)) is None


def test_no_position_and_no_name_is_no_match() -> None:
    plan = replace(PLAN, ra_deg=None, dec_deg=None, target_name=None)
    assert score(plan, EXEC) is None


def test_normalise_name() -> None:
    assert normalise_name("HD 1234") == normalise_name("HD1234") == normalise_name("hd_1234")
    assert normalise_name("HD 1234") != normalise_name("HD 12345")


def test_instrument_must_match_case_insensitively() -> None:
    assert score(PLAN, replace(EXEC, instrument="gravity")) is not None
    assert score(PLAN, replace(EXEC, instrument="MATISSE")) is None
    assert score(PLAN, replace(EXEC, instrument=None)) is None


def test_mode_mismatch_is_no_match() -> None:
    assert score(PLAN, replace(EXEC, instrument_mode="HIGH-SPLIT")) is None
    assert score(PLAN, replace(EXEC, instrument_mode="medium-combined")) is not None


def test_unknown_mode_is_accepted_with_lower_score() -> None:
    m = score(PLAN, replace(EXEC, instrument_mode=None))
    assert m is not None
    assert m.rule == "position+instrument+stations+window"
    assert m.score == pytest.approx(0.90)
    assert "mode unknown for the execution: not checked (lower score)" in m.reasons
    m2 = score(replace(PLAN, instrument_mode=None), EXEC)
    assert m2 is not None
    assert "mode unknown for the plan: not checked (lower score)" in m2.reasons


def test_calibrator_executions_never_match() -> None:
    assert score(PLAN, replace(EXEC, role="CAL")) is None
    assert score(PLAN, replace(EXEC, role="cal")) is None
    unknown = score(PLAN, replace(EXEC, role=None))
    assert unknown is not None
    assert "execution role unknown: taken as science" in unknown.reasons
    cal = replace(EXEC, ob_exec_id=1, role="CAL", mjd_start=60001.0)
    sci = replace(EXEC, ob_exec_id=2, ra_deg=83.8221 + 5 * ARCSEC, mjd_start=60060.0)
    chosen = best_match(PLAN, [cal, sci])
    assert chosen is not None
    assert chosen.ob_exec_id == 2


def test_configuration_equivalent_stations() -> None:
    plan = replace(PLAN, instrument="PIONIER", instrument_mode="FREE", stations=frozenset(),
                   configuration="A0-B2-D0-C1")
    ex = replace(EXEC, instrument="PIONIER", instrument_mode="FREE",
                 stations=frozenset({"C1", "A0", "D0", "B2"}), configuration=None)
    m = score(plan, ex)
    assert m is not None
    assert m.rule == "position+instrument+mode+configuration+window"
    assert m.score == pytest.approx(0.95)
    assert ("execution stations A0-B2-C1-D0 equal plan configuration A0-B2-C1-D0 "
            "(configuration-equivalent, order-free)") in m.reasons
    # A 3-telescope execution whose equivalent configuration is the planned one.
    subset = replace(ex, stations=frozenset({"A0", "B2", "C1"}), configuration="D0-C1-B2-A0")
    m3 = score(plan, subset)
    assert m3 is not None
    assert m3.rule == "position+instrument+mode+configuration+window"
    # Another quadruplet is a different array.
    assert score(plan, replace(ex, stations=frozenset({"A0", "B2", "C1", "J2"}))) is None
    assert configuration_stations("A0-B2-D0-C1") == frozenset({"A0", "B2", "C1", "D0"})


def test_station_names_are_normalised() -> None:
    m = score(PLAN, replace(EXEC, stations=frozenset({"U1", "U2", "U3", "U4"}),
                            configuration=None))
    assert m is not None
    assert m.rule == "position+instrument+mode+stations+window"


def test_array_mismatch_or_unknown_execution_array_is_no_match() -> None:
    assert score(PLAN, replace(EXEC, stations=frozenset({"UT1", "UT2", "UT3"}),
                               configuration="UT1-UT2-UT3")) is None
    assert score(PLAN, replace(EXEC, stations=frozenset(), configuration=None)) is None


def test_plan_without_array_accepts_any_with_lower_score() -> None:
    plan = replace(PLAN, stations=frozenset(), configuration=None)
    m = score(plan, replace(EXEC, stations=frozenset({"A0", "G1", "J2", "J3"})))
    assert m is not None
    assert m.rule == "position+instrument+mode+window"
    assert m.score == pytest.approx(0.88)
    assert "plan names no stations or configuration: any array accepted" in m.reasons


def test_outside_window_is_no_match_bounds_inclusive() -> None:
    assert score(PLAN, replace(EXEC, mjd_start=59999.99)) is None
    assert score(PLAN, replace(EXEC, mjd_start=60100.01)) is None
    assert score(PLAN, replace(EXEC, mjd_start=60000.0)) is not None
    assert score(PLAN, replace(EXEC, mjd_start=60100.0)) is not None


def test_partly_or_un_known_window() -> None:
    open_end = replace(PLAN, window_end_mjd=None)
    m = score(open_end, replace(EXEC, mjd_start=61000.0))
    assert m is not None
    assert m.score == pytest.approx(0.95)
    assert m.rule.endswith("+window")
    assert score(open_end, replace(EXEC, mjd_start=59000.0)) is None
    no_window = replace(PLAN, window_start_mjd=None, window_end_mjd=None)
    m2 = score(no_window, replace(EXEC, mjd_start=59000.0))
    assert m2 is not None
    assert m2.rule == "position+instrument+mode+stations"
    assert m2.score == pytest.approx(0.90)


def test_tie_goes_to_the_earliest_execution() -> None:
    later = replace(EXEC, ob_exec_id=1, mjd_start=60010.0)
    earlier = replace(EXEC, ob_exec_id=2, mjd_start=60005.0)
    for order in ([later, earlier], [earlier, later]):
        m = best_match(PLAN, order)
        assert m is not None
        assert m.ob_exec_id == 2
    same_time = [replace(EXEC, ob_exec_id=9), replace(EXEC, ob_exec_id=3)]
    chosen = best_match(PLAN, same_time)
    assert chosen is not None
    assert chosen.ob_exec_id == 3


def test_better_score_beats_earlier_execution() -> None:
    early_off = replace(EXEC, ob_exec_id=1, mjd_start=60001.0, dec_deg=-5.3911 + 5 * ARCSEC)
    late_exact = replace(EXEC, ob_exec_id=2, mjd_start=60090.0)
    m = best_match(PLAN, iter([early_off, late_exact]))
    assert m is not None
    assert (m.ob_exec_id, m.score) == (2, 1.0)


def test_best_match_none_when_nothing_qualifies() -> None:
    assert best_match(PLAN, []) is None
    assert best_match(PLAN, [replace(EXEC, role="CAL"), replace(EXEC, instrument="PIONIER")]) \
        is None
