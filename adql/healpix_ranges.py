"""HEALPix pixel ranges covering a cone: the SQLite cone-search prefilter.

Exposure, target and product rows carry the NESTED order-12 pixel of their
position (``schema.model.HEALPIX_ORDER``). A cone is covered by pixels of a
coarser order chosen for the radius; in NESTED numbering each coarse pixel is a
contiguous range of order-12 pixels, so the prefilter is a few ``BETWEEN``
terms on an indexed column. Coverage is conservative (the radius is widened by
the coarse pixel size); the exact test follows in SQL.
"""

from __future__ import annotations

import math
from functools import lru_cache

from astropy import units as u
from astropy_healpix import HEALPix

from ..schema.model import HEALPIX_ORDER

MAX_RADIUS_DEG = 20.0
MAX_PIXELS = 48


@lru_cache(maxsize=16)
def _grid(order: int) -> HEALPix:
    return HEALPix(nside=2**order, order="nested")


def _coarse_order(radius: float) -> int:
    for order in range(HEALPIX_ORDER, -1, -1):
        resolution = _grid(order).pixel_resolution.to_value(u.deg)
        if resolution >= radius / 2:
            return order
    return 0


def cone_ranges(ra: float, dec: float, radius: float) -> list[tuple[int, int]] | None:
    """Inclusive order-12 pixel ranges covering the cone, or None when it is too large."""
    if not (math.isfinite(ra) and math.isfinite(dec) and math.isfinite(radius)):
        return None
    if radius < 0 or radius > MAX_RADIUS_DEG or not -90 <= dec <= 90:
        return None
    order = _coarse_order(radius)
    while True:
        grid = _grid(order)
        margin = grid.pixel_resolution.to_value(u.deg) * 1.5
        pixels = grid.cone_search_lonlat((ra % 360.0) * u.deg, dec * u.deg,
                                         (radius + margin) * u.deg)
        if len(pixels) <= MAX_PIXELS or order == 0:
            break
        order -= 1
    shift = 4 ** (HEALPIX_ORDER - order)
    ranges: list[tuple[int, int]] = []
    for pixel in sorted(int(p) for p in pixels):
        lo, hi = pixel * shift, (pixel + 1) * shift - 1
        if ranges and ranges[-1][1] + 1 == lo:
            ranges[-1] = (ranges[-1][0], hi)
        else:
            ranges.append((lo, hi))
    return ranges
