"""adql package."""
