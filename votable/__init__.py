"""Streaming result writers and upload parsing (import name ``obsportal.votable``)."""

from .formats import (
    CSV,
    JSON,
    TSV,
    VOTABLE_BINARY,
    VOTABLE_BINARY2,
    VOTABLE_TABLEDATA,
    OutputFormat,
    UnsupportedFormat,
    resolve_format,
)
from .upload import UploadError, parse_upload
from .writer import error_document, write_result

__all__ = ["CSV", "JSON", "TSV", "VOTABLE_BINARY", "VOTABLE_BINARY2", "VOTABLE_TABLEDATA",
           "OutputFormat", "UnsupportedFormat", "UploadError", "error_document",
           "parse_upload", "resolve_format", "write_result"]
