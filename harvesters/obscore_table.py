"""The generic ``obscore-table`` source: CSV or VOTable files with ObsCore columns.

Columns are matched by name (case-insensitive) against the ObsCore 1.1 columns
of ``ivoa.obscore`` and the documented extension names. Unknown columns are
reported and not loaded; each bad row is reported with its line (CSV) or row
number (VOTable) and skipped, so one typo never costs the rest of the file.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from ..schema.model import AdqlType
from ..schema.obscore import OBSCORE
from .stcs import RegionError, normalise_region

#: Every column name the loader understands, in ``ivoa.obscore`` order.
ACCEPTED_COLUMNS: dict[str, AdqlType] = {
    c.name: c.datatype for c in OBSCORE.columns if c.published
}
REQUIRED_COLUMNS = ("obs_id",)


class SourceError(Exception):
    """The file as a whole cannot be read (not a row problem)."""


@dataclass(frozen=True)
class BadRow:
    """A rejected row: where it is and why."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class ParsedRow:
    """A validated row: ObsCore name → typed value, with its position in the file."""

    line: int
    values: dict[str, Any]


@dataclass
class TableFile:
    """Rows of one input file, with what could not be used."""

    path: str
    columns: list[str]
    unknown_columns: list[str]
    rows: Iterator[ParsedRow | BadRow]
    bytes_read: Callable[[], int] = field(default=lambda: 0)
    size: int = 0


def _parse_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"infinite value {text!r}")
    return value


def _parse_timestamp(text: str) -> datetime:
    cleaned = text.strip().replace(" ", "T", 1)
    if cleaned.endswith("Z"):
        cleaned = cleaned[:-1] + "+00:00"
    value = datetime.fromisoformat(cleaned)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def _parse_int(text: str) -> int:
    number = float(text)
    if not number.is_integer():
        raise ValueError(f"{text!r} is not an integer")
    return int(number)


_CONVERTERS: dict[AdqlType, Callable[[str], Any]] = {
    AdqlType.DOUBLE: _parse_float, AdqlType.REAL: _parse_float,
    AdqlType.INTEGER: _parse_int, AdqlType.BIGINT: _parse_int, AdqlType.SMALLINT: _parse_int,
    AdqlType.TIMESTAMP: _parse_timestamp, AdqlType.REGION: normalise_region,
}

_NULL_TEXTS = {"", "null", "NULL", "nan", "NaN", "--"}


def convert_value(name: str, raw: Any) -> Any:
    """Typed value of ``raw`` for column ``name`` (None for empty/null)."""
    if raw is None:
        return None
    if isinstance(raw, float) and math.isnan(raw):
        return None
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    if not isinstance(raw, str):
        raw = str(raw)
    text = raw.strip()
    if text in _NULL_TEXTS:
        return None
    converter = _CONVERTERS.get(ACCEPTED_COLUMNS[name])
    if converter is None:
        return text
    try:
        return converter(text)
    except RegionError:
        raise
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"column {name}: cannot read {text!r} as "
                         f"{ACCEPTED_COLUMNS[name].value.lower()}") from exc


def _check_row(values: dict[str, Any]) -> None:
    """Consistency rules a loaded row must satisfy (raise ValueError)."""
    if not values.get("obs_id"):
        raise ValueError("obs_id is empty")
    level = values.get("calib_level")
    if level is not None and not 0 <= level <= 4:
        raise ValueError(f"calib_level {level} outside 0..4")
    ra, dec = values.get("s_ra"), values.get("s_dec")
    if ra is not None and not -360.0 <= ra <= 720.0:
        raise ValueError(f"s_ra {ra} out of range")
    if dec is not None and not -90.0 <= dec <= 90.0:
        raise ValueError(f"s_dec {dec} outside -90..90")
    if ra is not None:
        values["s_ra"] = ra % 360.0
    t_min, t_max = values.get("t_min"), values.get("t_max")
    if t_min is not None and t_max is not None and t_max < t_min:
        raise ValueError(f"t_max {t_max} is before t_min {t_min}")
    em_min, em_max = values.get("em_min"), values.get("em_max")
    if em_min is not None and em_max is not None and em_max < em_min:
        raise ValueError(f"em_max {em_max} is below em_min {em_min}")


def parse_row(line: int, raw: dict[str, Any], path: str) -> ParsedRow | BadRow:
    """Convert and check one raw row; a problem becomes a :class:`BadRow`."""
    values: dict[str, Any] = {}
    try:
        for name, value in raw.items():
            values[name] = convert_value(name, value)
        _check_row(values)
    except ValueError as exc:
        return BadRow(path, line, str(exc))
    return ParsedRow(line, values)


def _split_columns(header: list[str], path: str) -> tuple[list[str], list[str]]:
    names = [h.strip().lower() for h in header]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SourceError(f"{path}: duplicate columns {', '.join(duplicates)}")
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise SourceError(f"{path}: required column {', '.join(missing)} is missing")
    known = [n for n in names if n in ACCEPTED_COLUMNS]
    unknown = [h.strip() for h, n in zip(header, names, strict=True)
               if n not in ACCEPTED_COLUMNS]
    return known, unknown


class _CountingReader(io.RawIOBase):
    """Counts compressed bytes read, for a progress bar over the file size."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


def _open_text(path: Path) -> tuple[IO[str], _CountingReader]:
    counter = _CountingReader(path.open("rb"))
    binary: IO[bytes] = io.BufferedReader(counter, buffer_size=1 << 16)
    if path.suffix == ".gz":
        binary = gzip.GzipFile(fileobj=binary, mode="rb")  # type: ignore[assignment]
    return io.TextIOWrapper(binary, encoding="utf-8-sig", newline=""), counter


def is_votable(path: Path) -> bool:
    name = path.name.lower().removesuffix(".gz")
    return name.endswith((".xml", ".vot", ".votable"))


def read_csv(path: Path) -> TableFile:
    """Stream a CSV (or TSV, by extension) file, optionally gzipped."""
    text, counter = _open_text(path)
    delimiter = "\t" if ".tsv" in path.suffixes else ","
    reader = csv.reader(text, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration as exc:
        text.close()
        raise SourceError(f"{path}: empty file") from exc
    except (UnicodeDecodeError, csv.Error, OSError, EOFError, zlib.error) as exc:
        text.close()
        raise SourceError(f"{path}: unreadable ({exc})") from exc
    names = [h.strip().lower() for h in header]
    known, unknown = _split_columns(header, str(path))
    keep = [(i, n) for i, n in enumerate(names) if n in ACCEPTED_COLUMNS]

    def rows() -> Iterator[ParsedRow | BadRow]:
        try:
            line = reader.line_num
            while True:
                try:
                    fields = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    yield BadRow(str(path), reader.line_num, f"malformed CSV: {exc}")
                    continue
                start, line = line + 1, reader.line_num
                if not fields or all(not f.strip() for f in fields):
                    continue
                if len(fields) != len(names):
                    yield BadRow(str(path), start, f"expected {len(names)} fields, found "
                                 f"{len(fields)}")
                    continue
                yield parse_row(start, {n: fields[i] for i, n in keep}, str(path))
        except (UnicodeDecodeError, OSError, EOFError, zlib.error) as exc:
            yield BadRow(str(path), reader.line_num, f"file is truncated or not UTF-8: {exc}")
        finally:
            text.close()

    return TableFile(str(path), known, unknown, rows(), lambda: counter.count,
                     path.stat().st_size)


def read_votable(path: Path) -> TableFile:
    """Read the first table of a VOTable file (rows are numbered from 1)."""
    from astropy.io.votable import parse_single_table

    try:
        table = parse_single_table(str(path), verify="warn").to_table()
    except Exception as exc:  # astropy raises many types for malformed XML
        raise SourceError(f"{path}: not a readable VOTable ({exc})") from exc
    header = list(table.colnames)
    known, unknown = _split_columns(header, str(path))
    by_lower = {h.lower(): h for h in header}

    def rows() -> Iterator[ParsedRow | BadRow]:
        for index, row in enumerate(table, start=1):
            raw: dict[str, Any] = {}
            for name in known:
                value = row[by_lower[name]]
                raw[name] = None if _is_masked(value) else value
            yield parse_row(index, raw, str(path))

    size = path.stat().st_size
    return TableFile(str(path), known, unknown, rows(), lambda: size, size)


def _is_masked(value: Any) -> bool:
    import numpy as np

    return value is np.ma.masked or (isinstance(value, np.ma.core.MaskedConstant))


def read_table_file(path: Path) -> TableFile:
    """Open a CSV/TSV/VOTable file of ObsCore rows (gzip allowed)."""
    if not path.exists():
        raise SourceError(f"{path}: no such file")
    return read_votable(path) if is_votable(path) else read_csv(path)
