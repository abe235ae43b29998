"""``obsportal user|team|instrument-pi|token``: identities and API tokens.

Operators run these on the server; the REST API never creates users or tokens.
A new token is printed once and only its hash is stored.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from .access.directory import (
    DirectoryError,
    add_member,
    add_team,
    add_user,
    remove_member,
    set_instrument_pi,
)
from .access.tokens import create_token, list_tokens, revoke_token

user_app = typer.Typer(help="Users (people who sign in with API tokens).", no_args_is_help=True)
team_app = typer.Typer(help="Teams and their members.", no_args_is_help=True)
pi_app = typer.Typer(help="Instrument PIs (see submitted plans of their instrument).",
                     no_args_is_help=True)
token_app = typer.Typer(help="API tokens (Bearer, or HTTP Basic with the token as password).",
                        no_args_is_help=True)


def _engine() -> Any:
    from .cli import _harvest_engine, _settings
    return _harvest_engine(_settings())


def _run(action: Any) -> Any:
    """Run ``action(conn)`` in one transaction; operator mistakes exit 1 with the reason."""
    try:
        with _engine().begin() as conn:
            return action(conn)
    except (DirectoryError, LookupError) as exc:
        typer.secho(f"error: {exc}", err=True, fg="red")
        raise typer.Exit(1) from exc


@user_app.command("add")
def user_add(name: Annotated[str, typer.Argument(help="Login name.")],
             full_name: Annotated[str | None, typer.Option(help="Name shown in logs.")] = None,
             email: Annotated[str | None, typer.Option(help="Contact address.")] = None,
             site_admin: Annotated[bool, typer.Option(
                 "--site-admin", help="May see and change every team's plans.")] = False,
             ) -> None:
    """Create a user."""
    _run(lambda c: add_user(c, name, full_name=full_name, email=email, site_admin=site_admin))
    typer.echo(f"user {name} created" + (" (site admin)" if site_admin else ""))


@team_app.command("add")
def team_add(name: Annotated[str, typer.Argument(help="Team name.")],
             description: Annotated[str | None, typer.Option(help="What it works on.")] = None
             ) -> None:
    """Create a team."""
    _run(lambda c: add_team(c, name, description))
    typer.echo(f"team {name} created")


@team_app.command("add-member")
def team_add_member(team: Annotated[str, typer.Argument(help="Team name.")],
                    user: Annotated[str, typer.Argument(help="User name.")],
                    role: Annotated[str, typer.Option(help="member or admin.")] = "member"
                    ) -> None:
    """Add a user to a team (again: change the role)."""
    _run(lambda c: add_member(c, team, user, role))
    typer.echo(f"{user} is {role} of team {team}")


@team_app.command("remove-member")
def team_remove_member(team: Annotated[str, typer.Argument(help="Team name.")],
                       user: Annotated[str, typer.Argument(help="User name.")]) -> None:
    """Remove a user from a team (effective on their next request)."""
    removed = _run(lambda c: remove_member(c, team, user))
    typer.echo(f"{user} removed from team {team}" if removed else
               f"{user} was not a member of {team}")


@pi_app.command("set")
def instrument_pi_set(instrument: Annotated[str, typer.Argument(help="e.g. GRAVITY.")],
                      user: Annotated[str, typer.Argument(help="User name.")]) -> None:
    """Make a user the PI of an instrument (replacing the previous one)."""
    _run(lambda c: set_instrument_pi(c, instrument, user))
    typer.echo(f"{user} is PI of {instrument.upper()}")


@token_app.command("create")
def token_create(user: Annotated[str, typer.Argument(help="User name.")],
                 days: Annotated[float, typer.Option(
                     help="Validity in days; 0 for a token that never expires.")] = 90,
                 label: Annotated[str | None, typer.Option(help="What it is for.")] = None
                 ) -> None:
    """Create a token and print it once (only its hash is kept)."""
    token_id, token = _run(lambda c: create_token(c, user, days=days or None, label=label))
    typer.secho(f"token {token_id} for {user}"
                + (f", valid {days:g} days" if days else ", never expires")
                + " (shown once; store it now):", err=True)
    typer.echo(token)


@token_app.command("revoke")
def token_revoke(token_id: Annotated[int, typer.Argument(help="Token number.")]) -> None:
    """Revoke a token; it stops working on the next request."""
    if not _run(lambda c: revoke_token(c, token_id)):
        typer.secho(f"error: no valid token {token_id}", err=True, fg="red")
        raise typer.Exit(1)
    typer.echo(f"token {token_id} revoked")


@token_app.command("list")
def token_list(user: Annotated[str | None, typer.Argument(help="Only this user's.")] = None
               ) -> None:
    """List tokens (never their values)."""
    for row in _run(lambda c: list_tokens(c, user)):
        state = "revoked" if row["revoked"] else "valid"
        typer.echo(f"{row['token_id']}\t{row['user']}\t{state}\t"
                   f"expires {row['expires'] or 'never'}\t{row['label'] or ''}")
