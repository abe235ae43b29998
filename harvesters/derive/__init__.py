"""Interferometry derivations: pure functions over header values and the project's facts.

One module per fact or derivation: stations, baselines, sites and station-name
normalisation (:mod:`.stations`, over ``vlti_stations.csv``, ``chara_stations.csv`` and
``sites.csv``), local sidereal time and hour angle (:mod:`.lst`: ERFA apparent sidereal
time, plus the synthetic log generator's documented mean-time helper), local night date
and MJD/datetime conversions (:mod:`.night`), u,v,w and projected baselines (:mod:`.uv`),
equivalent offered configurations and ESO periods / CHARA semesters
(:mod:`.configurations`, over ``vlti_configurations.csv`` and ``chara_configurations.csv``),
apparent coordinates (:mod:`.apparent`), instrument mode coverage (:mod:`.modes`),
CAL-SCI-CAL links (:mod:`.calibrators`), header issues (:mod:`.header_issues`).
"""
