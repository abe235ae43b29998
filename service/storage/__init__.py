"""Database access: engines, schema creation/migration, derived objects."""
