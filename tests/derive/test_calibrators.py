"""CAL-SCI-CAL linking by adjacency."""

from __future__ import annotations

from obsportal.harvesters.derive.calibrators import Execution, link_calibrators

H = 1 / 24


def _ex(i: int, role: str, start_h: float, night: str = "2024-01-01",
        mode: str = "MEDIUM-COMBINED") -> Execution:
    return Execution(i, night, "GRAVITY", mode, "A0 B2 C1 D0", role, 60000 + start_h * H,
                     60000 + (start_h + 0.5) * H)


def test_nearest_calibrator_before_and_after() -> None:
    links = link_calibrators([_ex(1, "CAL", 0), _ex(2, "CAL", 0.6), _ex(3, "SCI", 1.2),
                              _ex(4, "CAL", 1.8), _ex(5, "CAL", 2.5)])
    assert {(link.sci, link.cal, link.side) for link in links} == {(3, 2, "before"),
                                                                   (3, 4, "after")}
    assert all(0 < link.score <= 1 and link.gap_s < 600 for link in links)


def test_other_setups_nights_and_far_calibrators_are_not_linked() -> None:
    links = link_calibrators([_ex(1, "CAL", 0, mode="LOW-COMBINED"),
                              _ex(2, "CAL", 0, night="2024-01-02"), _ex(3, "SCI", 1),
                              _ex(4, "CAL", 4)])
    assert links == []
