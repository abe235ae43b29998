"""A small Python client of ObsPortal for scripts and a2p2.

    from obsportal.client import ObsPortalClient
    portal = ObsPortalClient("http://localhost:8000")
    portal.search(260.0491, 21.9398)                # ASPRO2's search.votable, as a Table
    portal.match([{"name": "HD 3203", "ra": 260.0491, "dec": 21.9398}])  # OB blocks
    portal.query("SELECT TOP 5 * FROM ivoa.obscore")  # any ADQL, through pyvo

It wraps the HTTP endpoints only; nothing here imports the server side.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

import httpx
import pyvo
from astropy.io.votable import parse
from astropy.table import Table


class ObsPortalError(RuntimeError):
    """The service refused a request; the message is the service's."""


class ObsPortalClient:
    def __init__(self, base_url: str, timeout: float = 300.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(timeout=timeout, follow_redirects=True)

    @property
    def tap(self) -> pyvo.dal.TAPService:
        """The TAP service (pyvo), for async jobs, uploads and metadata."""
        return pyvo.dal.TAPService(f"{self.base_url}/tap")

    def query(self, adql: str, maxrec: int | None = None,
              uploads: Mapping[str, Any] | None = None) -> Table:
        """Run ADQL synchronously and return the result as an astropy Table."""
        return self.tap.search(adql, maxrec=maxrec, uploads=uploads).to_table()

    def search(self, ra: float, dec: float, radius_arcsec: float = 30.0,
               **filters: str) -> Table:
        """Exposures near a position (ASPRO2's search.votable), one row per exposure."""
        response = self.http.post(f"{self.base_url}/search.votable",
                                  data={"ra": ra, "dec": dec, "radius": radius_arcsec,
                                        **filters})
        votable = parse(io.BytesIO(response.content), verify="ignore")
        if response.status_code != 200:
            info = votable.resources[0].infos[0] if votable.resources[0].infos else None
            raise ObsPortalError(info.content if info is not None else response.text)
        return votable.get_first_table().to_table()

    def match(self, targets: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """OB blocks observed for each target (dicts with name, ra, dec[, radius])."""
        out = io.StringIO()
        writer = csv.DictWriter(out, ["name", "ra", "dec", "radius"], extrasaction="ignore")
        writer.writeheader()
        for target in targets:
            writer.writerow({"radius": 30.0, **target})
        response = self.http.post(f"{self.base_url}/api/observations/match",
                                  params={"format": "json"}, content=out.getvalue(),
                                  headers={"Content-Type": "text/csv"})
        body = response.json()
        if response.status_code != 200:
            raise ObsPortalError(body.get("error", response.text))
        found: list[dict[str, Any]] = body["targets"]
        return found

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> ObsPortalClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
