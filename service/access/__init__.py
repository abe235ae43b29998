"""Identities, API tokens and the per-transaction caller used by row-level security."""
