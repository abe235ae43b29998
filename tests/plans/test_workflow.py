"""Plan workflow: legal transitions, role refusals, and the ObsLocTAP status mapping."""

from __future__ import annotations

import pytest

from obsportal.schema.obsplan import EXECUTION_STATUSES
from obsportal.service.plans.workflow import (
    TERMINAL_STATES,
    WORKFLOW_STATES,
    TransitionError,
    allowed_next,
    check_transition,
    execution_status,
    execution_status_for,
)

MEMBER = frozenset({"member"})
TEAM_ADMIN = frozenset({"team_admin"})
PI = frozenset({"instrument_pi"})
SITE = frozenset({"site_admin"})
SYSTEM = frozenset({"system"})
NOBODY: frozenset[str] = frozenset()

# Every legal transition with the roles (one at a time) that may make it.
LEGAL: dict[tuple[str, str], set[str]] = {
    ("draft", "submitted"): {"member", "team_admin", "site_admin"},
    ("draft", "cancelled"): {"member", "team_admin", "site_admin"},
    ("submitted", "accepted"): {"instrument_pi", "site_admin"},
    ("submitted", "rejected"): {"instrument_pi", "site_admin"},
    ("submitted", "cancelled"): {"member", "team_admin", "site_admin"},
    ("submitted", "draft"): {"member", "team_admin", "site_admin"},
    ("accepted", "planned"): {"instrument_pi", "site_admin"},
    ("accepted", "cancelled"): {"member", "team_admin", "site_admin"},
    ("accepted", "done"): {"system", "instrument_pi", "site_admin"},
    ("planned", "scheduled"): {"instrument_pi", "site_admin"},
    ("planned", "done"): {"system", "instrument_pi", "site_admin"},
    ("planned", "cancelled"): {"member", "team_admin", "site_admin"},
    ("scheduled", "done"): {"system", "instrument_pi", "site_admin"},
    ("scheduled", "planned"): {"instrument_pi", "site_admin"},
    ("scheduled", "cancelled"): {"member", "team_admin", "site_admin"},
}
ALL_ROLES = ("member", "team_admin", "instrument_pi", "site_admin", "system")


def _error(current: str, target: str, roles: frozenset[str]) -> TransitionError:
    with pytest.raises(TransitionError) as info:
        check_transition(current, target, roles)
    return info.value


def test_states_and_terminals() -> None:
    assert WORKFLOW_STATES == ("draft", "submitted", "accepted", "planned", "scheduled",
                               "done", "cancelled", "rejected")
    assert frozenset({"done", "cancelled", "rejected"}) == TERMINAL_STATES


@pytest.mark.parametrize(("current", "target"), sorted(LEGAL))
def test_every_legal_transition_for_exactly_its_roles(current: str, target: str) -> None:
    for role in ALL_ROLES:
        if role in LEGAL[(current, target)]:
            check_transition(current, target, frozenset({role}))
        else:
            assert _error(current, target, frozenset({role})).status == 403, role


def test_the_table_has_no_other_legal_transition() -> None:
    everyone = frozenset(ALL_ROLES)
    for current in WORKFLOW_STATES:
        for target in WORKFLOW_STATES:
            if (current, target) in LEGAL:
                check_transition(current, target, everyone)
            else:
                assert _error(current, target, everyone).status == 409, (current, target)


@pytest.mark.parametrize(("current", "target", "allowed"), [
    ("draft", "scheduled", "submitted, cancelled"),
    ("draft", "accepted", "submitted, cancelled"),
    ("submitted", "planned", "accepted, rejected, cancelled, draft"),
    ("accepted", "submitted", "planned, cancelled, done"),
    ("planned", "accepted", "scheduled, done, cancelled"),
    ("scheduled", "scheduled", "done, planned, cancelled"),
])
def test_illegal_transition_is_409_naming_allowed_next(current: str, target: str,
                                                       allowed: str) -> None:
    err = _error(current, target, SITE)
    assert err.status == 409
    assert err.reason == (f"a plan in state {current!r} cannot become {target!r}: "
                          f"allowed next states are {allowed}")
    assert str(err) == err.reason


@pytest.mark.parametrize("terminal", ["done", "cancelled", "rejected"])
def test_terminal_states_go_nowhere(terminal: str) -> None:
    err = _error(terminal, "draft", SITE)
    assert err.status == 409
    assert err.reason == (f"a plan in state {terminal!r} cannot become 'draft': "
                          f"{terminal!r} is a terminal state")
    assert allowed_next(terminal, SITE) == ()


def test_illegal_beats_forbidden_for_a_member() -> None:
    # Even an actor without rights learns the move is illegal, not that they lack a role.
    assert _error("draft", "done", MEMBER).status == 409


@pytest.mark.parametrize(("current", "target", "roles"), [
    ("submitted", "accepted", MEMBER),
    ("submitted", "rejected", TEAM_ADMIN),
    ("accepted", "planned", MEMBER),
    ("planned", "scheduled", TEAM_ADMIN),
    ("scheduled", "planned", MEMBER),
    ("planned", "done", MEMBER),
    ("draft", "submitted", PI),
    ("accepted", "cancelled", PI),
    ("draft", "submitted", SYSTEM),
    ("submitted", "accepted", SYSTEM),
    ("scheduled", "cancelled", NOBODY),
])
def test_role_refusal_is_403(current: str, target: str, roles: frozenset[str]) -> None:
    err = _error(current, target, roles)
    assert err.status == 403
    assert f"from {current!r} to {target!r}" in err.reason


def test_403_message_names_needed_and_held_roles() -> None:
    err = _error("submitted", "accepted", frozenset({"member", "team_admin"}))
    assert err.reason == ("moving a plan from 'submitted' to 'accepted' needs one of the "
                          "roles instrument_pi, site_admin; the actor has member, team_admin")
    assert _error("draft", "submitted", NOBODY).reason.endswith("the actor has no role")


def test_unknown_roles_grant_nothing() -> None:
    assert _error("submitted", "accepted", frozenset({"admin", "PI"})).status == 403


@pytest.mark.parametrize(("current", "target"), [
    ("drafted", "submitted"), ("draft", "Submitted"), ("", "draft"), ("done", "archived"),
])
def test_unknown_state_is_422(current: str, target: str) -> None:
    err = _error(current, target, SITE)
    assert err.status == 422
    assert "unknown" in err.reason


def test_unknown_state_wins_over_role() -> None:
    assert _error("draft", "bogus", NOBODY).status == 422


def test_allowed_next_per_role() -> None:
    assert allowed_next("draft", MEMBER) == ("submitted", "cancelled")
    assert allowed_next("draft", PI) == ()
    assert allowed_next("submitted", MEMBER) == ("cancelled", "draft")
    assert allowed_next("submitted", PI) == ("accepted", "rejected")
    assert allowed_next("submitted", SITE) == ("accepted", "rejected", "cancelled", "draft")
    assert allowed_next("accepted", SYSTEM) == ("done",)
    assert allowed_next("planned", frozenset({"member", "instrument_pi"})) == (
        "scheduled", "done", "cancelled")
    assert allowed_next("scheduled", TEAM_ADMIN) == ("cancelled",)
    assert allowed_next("scheduled", NOBODY) == ()
    with pytest.raises(TransitionError) as info:
        allowed_next("nope", SITE)
    assert info.value.status == 422


def test_allowed_next_agrees_with_check_transition() -> None:
    for current in WORKFLOW_STATES:
        for role in ALL_ROLES:
            roles = frozenset({role})
            for target in allowed_next(current, roles):
                check_transition(current, target, roles)
            assert len(allowed_next(current, roles)) == sum(
                1 for (a, _), who in LEGAL.items() if a == current and role in who)


@pytest.mark.parametrize(("state", "status"), [
    ("draft", "Planned"),
    ("submitted", "Planned"),
    ("accepted", "Planned"),
    ("planned", "Planned"),
    ("scheduled", "Scheduled"),
    ("done", "Performed"),
    ("cancelled", "Unscheduled"),
    ("rejected", "Unscheduled"),
])
def test_execution_status_mapping(state: str, status: str) -> None:
    assert execution_status(state) == status
    assert status in EXECUTION_STATUSES
    assert execution_status_for(state, execution_failed=False) == status


def test_execution_status_covers_every_state_and_rejects_unknown() -> None:
    assert {execution_status(s) for s in WORKFLOW_STATES} == {
        "Planned", "Scheduled", "Performed", "Unscheduled"}
    with pytest.raises(TransitionError) as info:
        execution_status("Performed")
    assert info.value.status == 422


@pytest.mark.parametrize(("state", "status"), [
    ("scheduled", "Aborted"),
    ("done", "Aborted"),
    ("planned", "Planned"),
    ("accepted", "Planned"),
    ("cancelled", "Unscheduled"),
    ("rejected", "Unscheduled"),
])
def test_failed_execution_is_aborted_only_when_scheduled_or_done(state: str,
                                                                 status: str) -> None:
    assert execution_status_for(state, execution_failed=True) == status
