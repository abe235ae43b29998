"""Facts the project keeps itself: sites, offered configurations, instrument modes.

Each CSV file cites its source in its header comment lines.
"""
