"""harvesters package."""
