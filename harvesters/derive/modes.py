"""Spectral coverage of instrument modes (facts table ``instrument_modes.csv``).

Plans are written before any data exist, so their ObsLocTAP spectral columns
(``em_min``, ``em_max``, ``em_res_power``) come from the mode they ask for.
"""

from __future__ import annotations

from functools import lru_cache

from .stations import read_facts


@lru_cache(maxsize=1)
def _spectra() -> dict[tuple[str, str], tuple[float, float, float | None]]:
    table: dict[tuple[str, str], tuple[float, float, float | None]] = {}
    for row in read_facts("instrument_modes.csv"):
        if not row.get("wl_min") or not row.get("wl_max"):
            continue
        power = float(row["resolving_power"]) if row.get("resolving_power") else None
        spectrum = (float(row["wl_min"]) * 1e-6, float(row["wl_max"]) * 1e-6, power)
        for name in {row["instrument"], row["aspro_instrument"]}:
            table.setdefault((name.upper(), row["mode"]), spectrum)
    return table


def mode_spectrum(instrument: str | None, mode: str | None
                  ) -> tuple[float, float, float | None] | None:
    """(minimum, maximum wavelength in metres, resolving power) of a mode, or None."""
    if not instrument or not mode:
        return None
    return _spectra().get((instrument.upper(), mode))
