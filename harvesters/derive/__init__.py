"""Interferometry derivations: pure functions over header values and the project's facts.

Stations and sites (:mod:`.facts`), LST and local night (:mod:`.timing`), projected
baselines and u,v (:mod:`.uv`), equivalent offered configurations (:mod:`.configurations`).
"""
