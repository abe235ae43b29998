"""obsportal.client against a live service."""

from __future__ import annotations

import pytest

from obsportal.client import ObsPortalClient, ObsPortalError


def test_client_search_match_query(live_sqlite) -> None:  # type: ignore[no-untyped-def]
    base = live_sqlite.url.removesuffix("/tap")
    with ObsPortalClient(base) as portal:
        table = portal.search(260.0490821, 21.939826)
        assert len(table) > 10 and "exp_projected_baselines" in table.colnames
        targets = portal.match([{"name": "HD 3203", "ra": 260.0490821, "dec": 21.939826}])
        exposures = sorted(e for block in targets[0]["blocks"] for e in block["exposures"])
        assert exposures == sorted(table["exp_header_id"])
        rows = portal.query("SELECT TOP 3 obs_id FROM ivoa.obscore ORDER BY obs_id")
        assert len(rows) == 3
        with pytest.raises(ObsPortalError, match="dec"):
            portal.search(10.0, 95.0)
