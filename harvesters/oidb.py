"""JMMC OiDB: its TAP service (ObsCore plus interferometry columns) → exposures and products.

OiDB publishes the L0 observation logs it imports (calib_level 0: ESO from the JMMC
ObsPortal, CHARA, VEGA) and OIFITS granules (1-3) in one ObsCore table with extra
columns. Rows are fetched by pyvo in pages ordered by ``id`` (OiDB's key) after the
checkpoint, and loaded through the same validation as ``obscore-table`` files, with
OiDB's names mapped to ours.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyvo

from .obscore_table import ACCEPTED_COLUMNS, BadRow, ParsedRow, parse_row

DEFAULT_TAP = "http://tap.jmmc.fr/vollt/tap"
TABLE = "oidb"
#: OiDB column → ObsPortal ObsCore-table name.
RENAMES = {"progid": "proposal_id", "datapi": "obs_creator_name"}


class OidbError(RuntimeError):
    """The OiDB TAP service did not answer."""


def oidb_query(after_id: int, page: int) -> str:
    return (f"SELECT TOP {int(page)} * FROM {TABLE} WHERE id > {int(after_id)} "
            "ORDER BY id")


def fetch_page(tap_url: str, after_id: int, page: int = 5000) -> list[dict[str, Any]]:
    try:
        table = pyvo.dal.TAPService(tap_url).search(oidb_query(after_id, page)).to_table()
    except Exception as exc:  # pyvo raises several DAL error types
        raise OidbError(f"OiDB TAP query failed: {exc}") from exc
    rows = []
    for record in table:
        row: dict[str, Any] = {}
        for name in table.colnames:
            value = record[name]
            if value is not None and getattr(value, "mask", False) is True:
                value = None
            row[RENAMES.get(name.lower(), name.lower())] = value
        rows.append(row)
    return rows


def parse_rows(rows: list[dict[str, Any]], label: str) -> Iterator[ParsedRow | BadRow]:
    """ObsCore-table rows (validated) from OiDB records; the OiDB id is kept for paging."""
    for index, row in enumerate(rows, start=1):
        values = {k: v for k, v in row.items() if k in ACCEPTED_COLUMNS}
        parsed = parse_row(index, values, label)
        if isinstance(parsed, ParsedRow):
            parsed.values["obs_collection"] = parsed.values.get("obs_collection") or "OiDB"
        yield parsed
