"""votable package."""
