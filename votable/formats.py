"""Output formats a TAP client may ask for (RESPONSEFORMAT / FORMAT), and their MIME types."""

from __future__ import annotations

from dataclasses import dataclass


class UnsupportedFormat(ValueError):  # noqa: N818 - the name callers expect
    """RESPONSEFORMAT names nothing this service writes."""


@dataclass(frozen=True)
class OutputFormat:
    name: str  # votable, csv, tsv, json
    mime: str  # Content-Type of the response
    serialization: str | None = None  # BINARY2, BINARY, TABLEDATA for VOTable
    extension: str = "xml"  # file name suffix of a saved result


VOTABLE_BINARY2 = OutputFormat("votable", "application/x-votable+xml", "BINARY2")
VOTABLE_BINARY = OutputFormat("votable", "application/x-votable+xml;serialization=BINARY",
                              "BINARY")
VOTABLE_TABLEDATA = OutputFormat("votable",
                                 "application/x-votable+xml;serialization=TABLEDATA",
                                 "TABLEDATA")
CSV = OutputFormat("csv", "text/csv;header=present", extension="csv")
TSV = OutputFormat("tsv", "text/tab-separated-values", extension="tsv")
JSON = OutputFormat("json", "application/json", extension="json")

_ALIASES = {
    "": VOTABLE_BINARY2, "votable": VOTABLE_BINARY2, "vot": VOTABLE_BINARY2,
    "votable/b2": VOTABLE_BINARY2, "votableb2": VOTABLE_BINARY2, "binary2": VOTABLE_BINARY2,
    "application/x-votable+xml": VOTABLE_BINARY2, "text/xml": VOTABLE_BINARY2,
    "application/x-votable+xml;serialization=binary2": VOTABLE_BINARY2,
    "votable/td": VOTABLE_TABLEDATA, "votabletd": VOTABLE_TABLEDATA,
    "tabledata": VOTABLE_TABLEDATA,
    "application/x-votable+xml;serialization=tabledata": VOTABLE_TABLEDATA,
    "votable/b": VOTABLE_BINARY, "votableb": VOTABLE_BINARY, "binary": VOTABLE_BINARY,
    "application/x-votable+xml;serialization=binary": VOTABLE_BINARY,
    "csv": CSV, "text/csv": CSV, "text/csv;header=present": CSV,
    "tsv": TSV, "text/tab-separated-values": TSV, "text/tsv": TSV,
    "json": JSON, "application/json": JSON,
}


def resolve_format(value: str | None) -> OutputFormat:
    """The format a RESPONSEFORMAT value names (case and blanks do not matter)."""
    key = "".join((value or "").split()).lower()
    try:
        return _ALIASES[key]
    except KeyError:
        raise UnsupportedFormat(f"RESPONSEFORMAT={value} is not supported; use one of "
                                f"{ACCEPTED}") from None


#: What the error message offers (the short names, then the MIME types).
ACCEPTED = ("votable (BINARY2, the default), votable/b2, votable/td, votable/b, csv, tsv, "
            "json, application/x-votable+xml[;serialization=BINARY2|TABLEDATA|BINARY], "
            "text/csv, text/tab-separated-values, application/json")
