"""The translator's one error type."""

from __future__ import annotations


class AdqlError(Exception):
    """A query the service will not run, with where and why, in a user's words.

    ``line`` and ``column`` are 1-based positions in the query text (None when the
    problem is not at one place, e.g. an empty query).
    """

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line or None
        self.column = column or None

    def __str__(self) -> str:
        if self.line and self.column:
            return f"line {self.line}, column {self.column}: {self.message}"
        if self.line:
            return f"line {self.line}: {self.message}"
        return self.message
