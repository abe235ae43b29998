"""Acceptance: CAL-SCI-CAL links on generated nights match the generator's sequences.

``obsportal.calib_link`` is derived at harvest time from times, roles, setups and target
positions alone (``harvesters/derive/calibrators.py``); the synthetic log generator knows
which sequence each OB execution was planned in (``bench/generate_log.py``,
:func:`sequence_links`). Harvesting a generated log and scoring the derived links against
that plan is the only end-to-end check that the links mean what the table says.

What is expected, and why not exactly 1.0 both ways:

* recall 1.0: every calibrator adjacent to a science OB in its own sequence is 5-30
  minutes away, same night, instrument, mode and stations, and 1-8 degrees from the
  science target; the rule must find each one, on the right side.
* precision >= 0.985, and no more than 0.5 % of the links to a calibrator the generator
  planned for another target: a SCI-CAL sequence (10 % of them) has no calibrator of
  its own before the science OB; the adjacent one ends the previous sequence. It is
  refused when it lies far on the sky, but when the previous sequence observed the same
  target it is that target's own calibrator 5-30 minutes earlier, and the rule rightly
  links it. The generator did not mean it, so it lowers the strict precision.
  Measured (strict precision 0.989-1.0 on six logs, 0.967-0.981 before the sky-separation
  rule): see bench/README.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from log_generator import load_generator

from obsportal.harvesters.derive.calibrators import Execution, link_calibrators
from obsportal.harvesters.runner import harvest_files

#: (rows, seed): the bundled demo (5000, 2026) and one other night plan.
DATASETS = [(5000, 2026), (4000, 11)]
MIN_PRECISION = 0.985
#: Links whose calibrator was planned for another science target only, at most.
MAX_FOREIGN = 0.005


def _name(engine: sa.Engine, qualified: str) -> str:
    return qualified if engine.dialect.name == "postgresql" else qualified.replace(".", "_")


@pytest.fixture(scope="module", params=DATASETS, ids=lambda d: f"rows{d[0]}-seed{d[1]}")
def generated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
              ) -> tuple[Path, dict[tuple[int, int], str]]:
    """A generated log and the links its generator intended (pair -> side)."""
    rows, seed = request.param
    directory = tmp_path_factory.mktemp(f"log{seed}")
    log, truth_csv = directory / "log.csv", directory / "truth.csv"
    generator = load_generator()
    assert generator.write(log, rows, seed, truth=truth_csv) == rows
    truth: dict[tuple[int, int], str] = generator.sequence_links(rows, seed)
    # The CLI file and the function agree (one truth, two ways to get it).
    lines = truth_csv.read_text().splitlines()
    assert lines[0] == "sci_ob_id,cal_ob_id,side"
    assert {(int(s), int(c)): side for s, c, side in (x.split(",") for x in lines[1:])} == truth
    assert set(truth) == generator.sequence_truth(rows, seed)
    return log, truth


def _derived_links(engine: sa.Engine) -> dict[tuple[int, int], tuple[str, str, str]]:
    """(science ob_id, calibrator ob_id) -> (side, science role, calibrator role)."""
    link = _name(engine, "obsportal.calib_link")
    ob = _name(engine, "obsportal.ob_exec")
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            f"SELECT s.ob_id, c.ob_id, l.side, s.role, c.role FROM {link} l "
            f"JOIN {ob} s ON s.ob_exec_id = l.sci_ob_exec_id "
            f"JOIN {ob} c ON c.ob_exec_id = l.cal_ob_exec_id")).all()
    derived = {(int(r[0]), int(r[1])): (r[2], r[3], r[4]) for r in rows}
    assert len(derived) == len(rows), "a (science, calibrator) pair linked twice"
    return derived


def _targets(engine: sa.Engine) -> dict[int, int]:
    """ob_id -> target_id of every OB execution."""
    with engine.connect() as conn:
        return {int(r[0]): int(r[1]) for r in conn.execute(sa.text(
            f"SELECT ob_id, target_id FROM {_name(engine, 'obsportal.ob_exec')}"))}


def test_links_match_the_generated_sequences(
        any_engine: sa.Engine, generated: tuple[Path, dict[tuple[int, int], str]]) -> None:
    log, truth = generated
    report = harvest_files(any_engine, [log])
    assert report.ok
    derived = _derived_links(any_engine)
    assert len(truth) > 400  # enough sequences for the ratios to mean something

    true_positive = set(derived) & set(truth)
    spurious = set(derived) - set(truth)
    # A spurious link to a calibrator the generator also planned for this science
    # target (in another sequence) is its own calibrator; any other is foreign.
    target = _targets(any_engine)
    planned_for: dict[int, set[int]] = {}
    for sci, cal in truth:
        planned_for.setdefault(cal, set()).add(target[sci])
    foreign = sorted((sci, cal) for sci, cal in spurious
                     if target[sci] not in planned_for.get(cal, set()))
    precision = len(true_positive) / len(derived)
    recall = len(true_positive) / len(truth)
    print(f"\n{any_engine.dialect.name}: {len(truth)} intended links, {len(derived)} derived, "
          f"precision {precision:.4f}, recall {recall:.4f}, foreign {len(foreign)}")

    missed = sorted(set(truth) - set(derived))
    assert recall == 1.0, f"intended links not derived (first ones): {missed[:10]}"
    assert precision >= MIN_PRECISION, (
        f"precision {precision:.4f}: spurious links {sorted(spurious)[:10]}")
    assert len(foreign) <= MAX_FOREIGN * len(derived), (
        f"links to other targets' calibrators: {foreign[:10]}")
    wrong_side = [pair for pair in true_positive if derived[pair][0] != truth[pair]]
    assert wrong_side == []
    assert {value[1:] for value in derived.values()} == {("SCI", "CAL")}


def _ex(i: int, role: str, start_h: float, ra: float | None, dec: float | None) -> Execution:
    return Execution(i, "2024-01-01", "GRAVITY", "MEDIUM-COMBINED", "A0 B2 C1 D0", role,
                     60000 + start_h / 24, 60000 + (start_h + 0.5) / 24, ra, dec)


def test_the_previous_sequence_calibrator_far_on_the_sky_is_refused() -> None:
    """The SCI-CAL case the end-to-end test measures, on four executions."""
    links = link_calibrators([_ex(1, "CAL", 0.0, 100.0, -30.0),  # the science's own, 4 deg
                              _ex(2, "CAL", 0.6, 150.0, -20.0),  # previous sequence's, far
                              _ex(3, "SCI", 1.2, 100.0, -26.0),
                              _ex(4, "CAL", 1.8, 101.0, -26.0)])
    # The nearest calibrator before is judged and refused; the older one is not reached.
    assert {(link.sci, link.cal, link.side) for link in links} == {(3, 4, "after")}


def test_without_positions_the_time_rule_alone_applies() -> None:
    links = link_calibrators([_ex(2, "CAL", 0.6, None, None), _ex(3, "SCI", 1.2, 100.0, -26.0),
                              _ex(4, "CAL", 1.8, 101.0, None)])
    assert {(link.cal, link.side) for link in links} == {(2, "before"), (4, "after")}
