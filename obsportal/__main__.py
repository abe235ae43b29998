"""``python -m obsportal`` runs the CLI (same as the ``obsportal`` command)."""

from obsportal.service.cli import app

app(prog_name="obsportal")
