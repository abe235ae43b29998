"""Interferometry derivations: pure functions over header values and the project's facts.

Stations, baselines and sites (:mod:`.stations`, and the older :mod:`.facts`), local
sidereal time (:mod:`.lst`, :mod:`.timing`), local night date (:mod:`.night`), u,v,w and
projected baselines (:mod:`.uv`), equivalent offered configurations
(:mod:`.configurations`), CAL-SCI-CAL links (:mod:`.calibrators`), header issues
(:mod:`.header_issues`).
"""
