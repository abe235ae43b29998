"""Identities, teams and the private planning tables around ``ivoa.obsplan``.

Schema ``auth`` (users, teams, memberships, instrument PIs, API tokens) is
never published: the TAP query role has no privilege on it at all.

The planning tables (``obsportal.proposal``, ``obsportal.plan_event``,
``obsportal.plan_execution``) are *private*: each row belongs to a team
through ``team_id`` (or through its plan), and who may see it is decided by
one rule, :mod:`schema.access_rules`, enforced by PostgreSQL row-level
security and, on SQLite, by the ADQL translator and the REST layer.
"""

from __future__ import annotations

from .model import AdqlType as T
from .model import Column, ForeignKey, Index, Table

AUTH = "auth"


def _key(name: str, description: str) -> Column:
    return Column(name, T.BIGINT, description, primary_key=True, nullable=False,
                  autoincrement=True)


USER_ACCOUNT = Table(
    schema=AUTH, name="user_account", published=False,
    description="People who sign in with API tokens.",
    columns=(
        _key("user_id", "User key."),
        Column("name", T.VARCHAR, "Login name (unique).", nullable=False, unique=True),
        Column("full_name", T.VARCHAR, "Name shown in the audit log.", unicode=True),
        Column("email", T.VARCHAR, "Contact address."),
        Column("site_admin", T.BOOLEAN, "Sees and may change every team's plans.",
               nullable=False),
        Column("created", T.TIMESTAMP, "Creation time (UTC).", nullable=False),
    ),
)

TEAM = Table(
    schema=AUTH, name="team", published=False,
    description="Teams own proposals and planned observations.",
    columns=(
        _key("team_id", "Team key."),
        Column("name", T.VARCHAR, "Team name (unique).", nullable=False, unique=True),
        Column("description", T.VARCHAR, "What the team works on.", unicode=True),
        Column("created", T.TIMESTAMP, "Creation time (UTC).", nullable=False),
    ),
)

MEMBERSHIP = Table(
    schema=AUTH, name="membership", published=False,
    description="Who belongs to which team, as member or team admin.",
    columns=(
        Column("team_id", T.BIGINT, "Team.", primary_key=True, nullable=False),
        Column("user_id", T.BIGINT, "Member.", primary_key=True, nullable=False,
               indexed=True),
        Column("role", T.VARCHAR, "member or admin.", nullable=False),
        Column("created", T.TIMESTAMP, "When the membership was granted (UTC).",
               nullable=False),
    ),
    foreign_keys=(
        ForeignKey("membership_team", ("team_id",), "auth.team", ("team_id",),
                   published=False),
        ForeignKey("membership_user", ("user_id",), "auth.user_account", ("user_id",),
                   published=False),
    ),
)

INSTRUMENT_PI = Table(
    schema=AUTH, name="instrument_pi", published=False,
    description="Instrument PIs see submitted (and later) plans of their instrument.",
    columns=(
        Column("instrument", T.VARCHAR, "Instrument name, upper case (GRAVITY, MIRC-X...).",
               primary_key=True, nullable=False),
        Column("user_id", T.BIGINT, "The PI.", nullable=False),
        Column("since", T.TIMESTAMP, "When the PI was set (UTC).", nullable=False),
    ),
    foreign_keys=(
        ForeignKey("instrument_pi_user", ("user_id",), "auth.user_account", ("user_id",),
                   published=False),
    ),
)

API_TOKEN = Table(
    schema=AUTH, name="api_token", published=False,
    description="API tokens: only a SHA-256 of each token is stored.",
    columns=(
        _key("token_id", "Token key."),
        Column("user_id", T.BIGINT, "Owner of the token.", nullable=False, indexed=True),
        Column("token_hash", T.VARCHAR, "Hex SHA-256 of the token.", nullable=False,
               unique=True),
        Column("label", T.VARCHAR, "What the token is for."),
        Column("created", T.TIMESTAMP, "Creation time (UTC).", nullable=False),
        Column("expires", T.TIMESTAMP, "Expiry (UTC); NULL never expires."),
        Column("revoked", T.TIMESTAMP, "Revocation time (UTC), NULL while valid."),
    ),
    foreign_keys=(
        ForeignKey("api_token_user", ("user_id",), "auth.user_account", ("user_id",),
                   published=False),
    ),
)

PROPOSAL = Table(
    schema="obsportal", name="proposal", published=False, private=True,
    description="A team's proposal: groups planned OBs and follows the same workflow.",
    columns=(
        _key("proposal_id", "Proposal key."),
        Column("team_id", T.BIGINT, "Owning team.", nullable=False, indexed=True),
        Column("code", T.VARCHAR, "Proposal or programme identifier, unique per team.",
               nullable=False),
        Column("title", T.VARCHAR, "Title.", unicode=True),
        Column("period", T.VARCHAR, "ESO period or CHARA semester."),
        Column("instrument", T.VARCHAR, "Main instrument."),
        Column("workflow_status", T.VARCHAR, "Workflow state.", nullable=False),
        Column("submitted_at", T.TIMESTAMP, "First submission (UTC); instrument PIs see "
               "proposals from then on."),
        Column("created", T.TIMESTAMP, "Creation time (UTC).", nullable=False),
        Column("updated", T.TIMESTAMP, "Last change (UTC).", nullable=False),
        Column("created_by", T.VARCHAR, "User who created it."),
    ),
    unique_constraints=(("team_id", "code"),),
    foreign_keys=(
        ForeignKey("proposal_team", ("team_id",), "auth.team", ("team_id",), published=False),
    ),
)

PLAN_EVENT = Table(
    schema="obsportal", name="plan_event", published=False, private=True,
    description="Audit log of workflow changes: who, when, from, to, note.",
    columns=(
        _key("event_id", "Event key."),
        Column("team_id", T.BIGINT, "Team owning the changed object.", nullable=False,
               indexed=True),
        Column("plan_id", T.BIGINT, "Changed plan, if a plan.", indexed=True),
        Column("proposal_id", T.BIGINT, "Changed proposal, if a proposal.", indexed=True),
        Column("actor", T.VARCHAR, "User name, or 'system' for execution matching.",
               nullable=False),
        Column("at", T.TIMESTAMP, "Time of the change (UTC).", nullable=False),
        Column("from_status", T.VARCHAR, "State before (NULL at creation)."),
        Column("to_status", T.VARCHAR, "State after.", nullable=False),
        Column("note", T.VARCHAR, "Reason given.", unicode=True),
    ),
)

PLAN_EXECUTION = Table(
    schema="obsportal", name="plan_execution", private=True,
    description=(
        "Planned OBs matched to executed OB executions after a harvest, with the rule "
        "and score of the match. Visible to whoever may see the plan."
    ),
    columns=(
        Column("plan_id", T.BIGINT, "Matched plan (ivoa.obsplan.plan_id).", ucd="meta.id",
               primary_key=True, nullable=False, principal=True),
        Column("ob_exec_id", T.BIGINT, "Executed OB (obsportal.ob_exec).", ucd="meta.id",
               primary_key=True, nullable=False, principal=True, indexed=True),
        Column("rule", T.VARCHAR, "Which criteria matched.", ucd="meta.code",
               principal=True),
        Column("score", T.DOUBLE, "Match score, 0 to 1.", ucd="stat.fit.goodness",
               principal=True),
        Column("separation", T.DOUBLE, "Distance between planned and observed target.",
               unit="arcsec", ucd="pos.angDistance"),
        Column("explanation", T.VARCHAR, "Each criterion and its value.", ucd="meta.note"),
        Column("matched_at", T.TIMESTAMP, "When the match was made (UTC).",
               ucd="time.creation"),
    ),
    foreign_keys=(
        ForeignKey("plan_execution_plan", ("plan_id",), "ivoa.obsplan", ("plan_id",),
                   "The matched plan."),
        ForeignKey("plan_execution_ob_exec", ("ob_exec_id",), "obsportal.ob_exec",
                   ("ob_exec_id",), "The OB execution that carried it out."),
    ),
    indexes=(Index("ob_exec", ("ob_exec_id",)),),
)

AUTH_TABLES = (USER_ACCOUNT, TEAM, MEMBERSHIP, INSTRUMENT_PI, API_TOKEN)
PLANNING_TABLES = (PROPOSAL, PLAN_EVENT, PLAN_EXECUTION)
