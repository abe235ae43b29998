"""Facts the project keeps itself: sites, stations, offered configurations, instrument modes.

Each CSV file cites its source in its header comment lines. Read them as package
resources of ``obsportal.harvesters.data`` (see :mod:`obsportal.harvesters.derive.stations`).
"""
