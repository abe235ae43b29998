"""Facts the project keeps itself, one table per fact, each citing its source in its header
comment lines:

* ``sites.csv`` — interferometer sites (position, time zone);
* ``vlti_stations.csv``, ``chara_stations.csv`` — station positions and telescope diameters;
* ``vlti_configurations.csv``, ``chara_configurations.csv`` — configurations offered per ESO
  period / CHARA semester (and the VLTI re-configuration intermediates);
* ``instrument_modes.csv``, ``aspro2_modes.csv`` — ASPRO2 instrument modes.

Read them as package resources of ``obsportal.harvesters.data`` with
:func:`obsportal.harvesters.derive.stations.read_facts`; the loaders are
:mod:`obsportal.harvesters.derive.stations` and
:mod:`obsportal.harvesters.derive.configurations`.
"""
