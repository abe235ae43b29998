"""The preparation workflow of a planned observation, and who may move it.

A plan (a row of ``ivoa.obsplan``, column ``workflow_status``) is prepared by a team,
reviewed by the instrument PI or the site, put in the long-term plan, scheduled for a
night, and eventually executed. The states and the *legal* transitions between them:

==============  =====================================================
from            to
==============  =====================================================
``draft``       ``submitted``, ``cancelled``
``submitted``   ``accepted``, ``rejected``, ``cancelled``,
                ``draft`` (withdrawn by the team for more editing)
``accepted``    ``planned``, ``cancelled``, ``done`` (see below)
``planned``     ``scheduled``, ``done``, ``cancelled``
``scheduled``   ``done``, ``planned`` (unscheduled again), ``cancelled``
``done``        — terminal
``cancelled``   — terminal
``rejected``    — terminal
==============  =====================================================

``accepted → done`` is legal because execution matching (:mod:`.matching`) can find an
executed OB for an accepted plan that was never explicitly planned or scheduled (a
service-mode OB run from the queue): refusing that would leave an observation that was
*performed* looking as if it were still to do.

Who may make a legal transition (roles are strings; unknown ones grant nothing):

* team members (``member`` or ``team_admin``): ``draft → submitted``,
  ``submitted → draft``, and ``→ cancelled`` from any non-terminal state — the
  proposal is theirs to submit, withdraw or give up;
* the instrument PI or the site (``instrument_pi`` or ``site_admin``):
  ``submitted → accepted | rejected``, ``accepted → planned``,
  ``planned → scheduled`` and ``scheduled → planned`` — the review and the
  allocation of telescope time are not the team's to decide;
* ``→ done`` (from ``accepted``, ``planned`` or ``scheduled``): ``system`` (the
  execution matching run by the harvester) or ``instrument_pi`` — the harvested log is
  the evidence, a PI may record an execution the log misses;
* ``site_admin`` may make every legal transition (operations must be able to repair
  any plan), and no role may make an illegal one.

Errors carry an HTTP status so that routes can hand them on unchanged: 422 for a state
name that does not exist, 409 for a transition the table forbids (the request
conflicts with the plan's current state, whoever asks), 403 for a legal transition the
actor's roles do not allow. The checks are made in that order, so an illegal move
always reads as 409 — telling an unauthorised user that a move is illegal discloses
nothing beyond the public table above.

ObsLocTAP 1.0 (section 3) gives each row an ``execution_status`` among ``Planned``,
``Scheduled``, ``Unscheduled``, ``Performed`` and ``Aborted``. :func:`execution_status`
maps the (finer) workflow onto it as a pure function of the state:

==============================================  ===============
workflow state                                  execution_status
==============================================  ===============
``draft``, ``submitted``, ``accepted``,         ``Planned``
``planned``
``scheduled``                                   ``Scheduled``
``done``                                        ``Performed``
``cancelled``, ``rejected``                     ``Unscheduled``
==============================================  ===============

Why: ObsLocTAP describes what the facility intends to observe, without a notion of
proposal review; everything still heading towards an observation is ``Planned``, and
only a plan fixed to a night is ``Scheduled``. A cancelled or rejected plan will not be
observed: ``Unscheduled`` says exactly that. ``Aborted`` is *not* used for them — the
standard reserves it for an observation that started and failed, which only the
harvested execution log can tell, not the workflow state. :func:`execution_status_for`
takes that extra fact and returns ``Aborted`` for a ``scheduled`` or ``done`` plan
whose execution failed.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet

WORKFLOW_STATES: tuple[str, ...] = (
    "draft", "submitted", "accepted", "planned", "scheduled", "done", "cancelled", "rejected",
)
TERMINAL_STATES: frozenset[str] = frozenset({"done", "cancelled", "rejected"})

#: Roles the rules know; anything else a caller passes grants nothing.
ROLES: frozenset[str] = frozenset(
    {"member", "team_admin", "instrument_pi", "site_admin", "system"})

#: Legal next states, in the order messages list them.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("submitted", "cancelled"),
    "submitted": ("accepted", "rejected", "cancelled", "draft"),
    "accepted": ("planned", "cancelled", "done"),
    "planned": ("scheduled", "done", "cancelled"),
    "scheduled": ("done", "planned", "cancelled"),
    "done": (),
    "cancelled": (),
    "rejected": (),
}

_TEAM = frozenset({"member", "team_admin"})
_REVIEW = frozenset({"instrument_pi", "site_admin"})
_EXECUTION = frozenset({"system", "instrument_pi", "site_admin"})


def _permissions() -> dict[tuple[str, str], frozenset[str]]:
    """Roles allowed for each legal transition (``site_admin`` added to every one)."""
    allowed: dict[tuple[str, str], frozenset[str]] = {
        ("draft", "submitted"): _TEAM,
        ("submitted", "draft"): _TEAM,
        ("submitted", "accepted"): _REVIEW,
        ("submitted", "rejected"): _REVIEW,
        ("accepted", "planned"): _REVIEW,
        ("planned", "scheduled"): _REVIEW,
        ("scheduled", "planned"): _REVIEW,
    }
    for state in ("draft", "submitted", "accepted", "planned", "scheduled"):
        allowed[(state, "cancelled")] = _TEAM
    for state in ("accepted", "planned", "scheduled"):
        allowed[(state, "done")] = _EXECUTION
    legal = {(a, b) for a, nexts in TRANSITIONS.items() for b in nexts}
    # Guard against the two tables drifting apart when one of them is edited.
    assert set(allowed) == legal, sorted(legal ^ set(allowed))
    return {key: roles | {"site_admin"} for key, roles in allowed.items()}


PERMISSIONS: dict[tuple[str, str], frozenset[str]] = _permissions()

_EXECUTION_STATUS: dict[str, str] = {
    "draft": "Planned",
    "submitted": "Planned",
    "accepted": "Planned",
    "planned": "Planned",
    "scheduled": "Scheduled",
    "done": "Performed",
    "cancelled": "Unscheduled",
    "rejected": "Unscheduled",
}


class TransitionError(Exception):
    """A workflow change that cannot be made, with the HTTP status that says why.

    ``status``: 422 unknown state name, 409 transition not in the table, 403 legal
    transition the actor's roles do not allow. ``reason`` is a sentence for the user.
    """

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason

    def __repr__(self) -> str:
        return f"TransitionError({self.status}, {self.reason!r})"


def _known(state: str, what: str) -> None:
    if state not in TRANSITIONS:
        raise TransitionError(
            422, f"unknown {what} state {state!r}: workflow states are "
            f"{', '.join(WORKFLOW_STATES)}")


def _roles_text(roles: AbstractSet[str]) -> str:
    return ", ".join(sorted(roles)) if roles else "no role"


def check_transition(current: str, target: str, roles: AbstractSet[str]) -> None:
    """Raise :class:`TransitionError` unless an actor with ``roles`` may move a plan
    from ``current`` to ``target``; return ``None`` when the move is allowed."""
    _known(current, "current")
    _known(target, "target")
    legal = TRANSITIONS[current]
    if target not in legal:
        if not legal:
            raise TransitionError(
                409, f"a plan in state {current!r} cannot become {target!r}: "
                f"{current!r} is a terminal state")
        raise TransitionError(
            409, f"a plan in state {current!r} cannot become {target!r}: "
            f"allowed next states are {', '.join(legal)}")
    needed = PERMISSIONS[(current, target)]
    if not needed & roles:
        raise TransitionError(
            403, f"moving a plan from {current!r} to {target!r} needs one of the roles "
            f"{', '.join(sorted(needed))}; the actor has {_roles_text(roles)}")


def allowed_next(current: str, roles: AbstractSet[str]) -> tuple[str, ...]:
    """The states an actor with ``roles`` may move a plan in ``current`` to, in table
    order (empty for a terminal state or an actor with no suitable role).

    Raises :class:`TransitionError` (422) for an unknown ``current``: silently
    answering "nothing" would hide a corrupted row.
    """
    _known(current, "current")
    return tuple(t for t in TRANSITIONS[current] if PERMISSIONS[(current, t)] & roles)


def execution_status(state: str) -> str:
    """ObsLocTAP 1.0 ``execution_status`` of a workflow state (table in the module
    docstring); :class:`TransitionError` (422) for an unknown state."""
    _known(state, "workflow")
    return _EXECUTION_STATUS[state]


def execution_status_for(state: str, execution_failed: bool) -> str:
    """As :func:`execution_status`, but ``Aborted`` for a ``scheduled`` or ``done`` plan
    whose execution the harvested log reports as started and failed.

    Only those two states can have an execution under way or behind them; a failed
    execution found for a plan in any other state says nothing about *this* plan's
    observation having started, so the state alone decides.
    """
    status = execution_status(state)
    if execution_failed and state in ("scheduled", "done"):
        return "Aborted"
    return status
