"""The README stays true: every setting documented, the CI runs the README's test command."""

from __future__ import annotations

from pathlib import Path

from obsportal.service.settings import Settings

REPO = Path(__file__).resolve().parents[1]


def test_every_setting_is_documented() -> None:
    readme = (REPO / "README.md").read_text()
    for name in Settings.model_fields:
        assert f"`OBSPORTAL_{name.upper()}`" in readme, name


def test_ci_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text()
    assert "```sh\ntests/run\n```" in readme
    ci = (REPO / ".ci" / "run").read_text().splitlines()
    assert ci[-1] == "exec tests/run"
