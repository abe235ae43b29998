"""The ESO archive: ``dbo.raw`` through its TAP service, then each frame's full header.

Incremental: the ADQL asks for VLTI OBJECT frames modified after the checkpoint
(``last_mod_date``), oldest first; each frame's header comes from the archive's header
service (``?DpId=...``; HTML with the header in ``<pre>`` or plain text), cached on
disk by DP.ID so a re-harvest does not download it again, and becomes an exposure
through :mod:`eso_headers`.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
import pyvo
from astropy.io import fits

from .eso_headers import FrameRecord, HeaderError, frame_record

log = logging.getLogger("obsportal.harvest.eso")

VLTI_INSTRUMENTS = ("GRAVITY", "MATISSE", "PIONIER", "AMBER")
DEFAULT_TAP = "https://archive.eso.org/tap_obs"
DEFAULT_HEADERS = "https://archive.eso.org/hdr"
_PRE = re.compile(r"<pre[^>]*>(.*?)</pre>", re.S | re.I)
_SAFE = re.compile(r"[^A-Za-z0-9_.:\-]")


class EsoArchiveError(RuntimeError):
    """The archive did not answer as expected (the harvest stops at the checkpoint)."""


@dataclass(frozen=True)
class RawFrame:
    dp_id: str
    last_mod_date: str


def raw_query(since: str | None, instruments: tuple[str, ...] = VLTI_INSTRUMENTS,
              limit: int = 5000) -> str:
    """The ADQL sent to ``dbo.raw`` (instruments and date are literals we control)."""
    names = ", ".join(f"'{i}'" for i in instruments)
    where = [f"instrument IN ({names})", "dp_type LIKE '%OBJECT%'"]
    if since:
        if not re.fullmatch(r"[0-9T:\-. ]+", since):
            raise EsoArchiveError(f"bad checkpoint {since!r}")
        where.append(f"last_mod_date > '{since}'")
    return (f"SELECT TOP {int(limit)} dp_id, last_mod_date FROM dbo.raw WHERE "
            f"{' AND '.join(where)} ORDER BY last_mod_date")


class EsoArchive:
    def __init__(self, tap_url: str = DEFAULT_TAP, header_url: str = DEFAULT_HEADERS,
                 cache_dir: Path | None = None, timeout: float = 120.0) -> None:
        self.tap = pyvo.dal.TAPService(tap_url)
        self.header_url = header_url
        self.cache_dir = cache_dir
        self.http = httpx.Client(timeout=timeout, follow_redirects=True)

    def frames(self, since: str | None, limit: int = 5000) -> list[RawFrame]:
        try:
            table = self.tap.search(raw_query(since, limit=limit)).to_table()
        except Exception as exc:  # pyvo raises DALQueryError, DALServiceError, ...
            raise EsoArchiveError(f"ESO TAP query failed: {exc}") from exc
        return [RawFrame(str(row["dp_id"]).strip(), str(row["last_mod_date"]).strip())
                for row in table]

    def header_text(self, dp_id: str) -> str:
        cached = self.cache_dir / f"{_SAFE.sub('_', dp_id)}.hdr" if self.cache_dir else None
        if cached is not None and cached.exists():
            return cached.read_text()
        try:
            response = self.http.get(self.header_url, params={"DpId": dp_id})
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise EsoArchiveError(f"header of {dp_id}: {exc}") from exc
        text = response.text
        match = _PRE.search(text)
        if match:
            text = html.unescape(match.group(1))
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_text(text)
        return text

    def records(self, frames: list[RawFrame]) -> Iterator[tuple[RawFrame, FrameRecord | str]]:
        """Each frame's exposure record, or the reason it could not be read."""
        for frame in frames:
            try:
                header = fits.Header.fromstring(self.header_text(frame.dp_id), sep="\n")
                yield frame, frame_record(header, frame.dp_id)
            except (HeaderError, EsoArchiveError, ValueError) as exc:
                yield frame, str(exc)

    def close(self) -> None:
        self.http.close()


def later(a: str | None, b: str) -> str:
    """The later of two ISO timestamps (strings compare as times)."""
    if a is None:
        return b
    try:
        return b if datetime.fromisoformat(b) > datetime.fromisoformat(a) else a
    except ValueError:
        return max(a, b)
