-- Helper functions the PostgreSQL emitter of the ADQL translator calls.
-- Installed with CREATE OR REPLACE by `obsportal db upgrade` (derived objects, schema
-- "obsportal"); they need pg_sphere. ADQL angles are degrees, pg_sphere's radians.

-- DALI serialisation of geometries in degrees: "ra dec", "ra dec r", "ra1 dec1 ...".
CREATE OR REPLACE FUNCTION obsportal.adql_dali(p spoint) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT (degrees(long(p)))::text || ' ' || (degrees(lat(p)))::text
$$;

CREATE OR REPLACE FUNCTION obsportal.adql_dali(c scircle) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT obsportal.adql_dali(center(c)) || ' ' || (degrees(radius(c)))::text
$$;

-- pg_sphere 1.1 has no vertex accessor: read the vertices from its text output (radians).
CREATE OR REPLACE FUNCTION obsportal.adql_dali(p spoly) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT string_agg(degrees(t.m[1]::float8)::text || ' ' || degrees(t.m[2]::float8)::text,
                    ' ' ORDER BY t.n)
  FROM regexp_matches(p::text, '\(([-0-9.eE+]+) *, *([-0-9.eE+]+)\)', 'g')
       WITH ORDINALITY AS t(m, n)
$$;

-- ObsCore s_region (STC-S text) as pg_sphere values: a circle or a polygon (else NULL).
CREATE OR REPLACE FUNCTION obsportal.adql_region_numbers(t text) RETURNS float8[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT array_agg(s.w::float8 ORDER BY s.n)
  FROM regexp_split_to_table(trim(t), '\s+') WITH ORDINALITY AS s(w, n)
  WHERE s.w ~ '^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$'
$$;

CREATE OR REPLACE FUNCTION obsportal.adql_region_circle(t text) RETURNS scircle
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN upper(ltrim(t)) LIKE 'CIRCLE%' AND array_length(x.v, 1) = 3 THEN
    scircle(spoint(radians(x.v[1]), radians(x.v[2])), radians(x.v[3])) END
  FROM (SELECT obsportal.adql_region_numbers(t) AS v) AS x
$$;

CREATE OR REPLACE FUNCTION obsportal.adql_region_poly(t text) RETURNS spoly
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN upper(ltrim(t)) LIKE 'POLYGON%' AND array_length(x.v, 1) >= 6 THEN
    (SELECT spoly(spoint(radians(x.v[2 * i - 1]), radians(x.v[2 * i])) ORDER BY i)
     FROM generate_series(1, array_length(x.v, 1) / 2) AS i) END
  FROM (SELECT obsportal.adql_region_numbers(t) AS v) AS x
$$;

CREATE OR REPLACE FUNCTION obsportal.adql_region_area(t text) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT degrees(degrees(COALESCE(area(obsportal.adql_region_circle(t)),
                                  area(obsportal.adql_region_poly(t)))))
$$;

-- ivo_hasword: whole-word, case-insensitive match.
CREATE OR REPLACE FUNCTION obsportal.adql_hasword(haystack text, needle text) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN btrim(regexp_replace(lower(needle), '[^a-z0-9]+', ' ', 'g')) <> ''
              AND position(' ' || btrim(regexp_replace(lower(needle), '[^a-z0-9]+', ' ', 'g'))
                           || ' ' IN ' ' || btrim(regexp_replace(lower(haystack), '[^a-z0-9]+',
                                                                 ' ', 'g')) || ' ') > 0
         THEN 1 ELSE 0 END
$$;

-- ivo_healpix_index: NESTED HEALPix index of (ra, dec) in degrees (Gorski et al. 2005).
CREATE OR REPLACE FUNCTION obsportal.adql_healpix_index(hpx_order integer, p_ra float8,
                                                        p_dec float8) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  nside bigint := 1::bigint << hpx_order;
  z float8 := sin(radians(p_dec));
  za float8 := abs(sin(radians(p_dec)));
  tt float8 := (radians(p_ra) - 2 * pi() * floor(radians(p_ra) / (2 * pi()))) * 2 / pi();
  jp bigint; jm bigint; ifp bigint; ifm bigint; face bigint; ix bigint; iy bigint;
  ntt bigint; tp float8; tmp float8; result bigint := 0; bit integer;
BEGIN
  IF tt >= 4 THEN tt := tt - 4; END IF;
  IF za <= 2.0 / 3.0 THEN
    jp := floor(nside * (0.5 + tt) - nside * z * 0.75);
    jm := floor(nside * (0.5 + tt) + nside * z * 0.75);
    ifp := jp / nside; ifm := jm / nside;
    IF ifp = ifm THEN face := ifp | 4;
    ELSIF ifp < ifm THEN face := ifp;
    ELSE face := ifm + 8; END IF;
    ix := jm & (nside - 1);
    iy := nside - (jp & (nside - 1)) - 1;
  ELSE
    ntt := least(3, floor(tt)::bigint);
    tp := tt - ntt;
    tmp := nside * sqrt(3 * (1 - za));
    jp := least(floor(tp * tmp)::bigint, nside - 1);
    jm := least(floor((1 - tp) * tmp)::bigint, nside - 1);
    IF z >= 0 THEN face := ntt; ix := nside - jm - 1; iy := nside - jp - 1;
    ELSE face := ntt + 8; ix := jp; iy := jm; END IF;
  END IF;
  FOR bit IN 0 .. hpx_order - 1 LOOP
    result := result | (((ix >> bit) & 1) << (2 * bit)) | (((iy >> bit) & 1) << (2 * bit + 1));
  END LOOP;
  RETURN face * nside * nside + result;
END
$$;

-- ivo_healpix_center: centre of a NESTED HEALPix cell, as a pg_sphere point.
CREATE OR REPLACE FUNCTION obsportal.adql_healpix_center(hpx_order integer, pix bigint)
RETURNS spoint
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  nside bigint := 1::bigint << hpx_order;
  npface bigint := (1::bigint << hpx_order) * (1::bigint << hpx_order);
  face integer := (pix / ((1::bigint << hpx_order) * (1::bigint << hpx_order)))::integer;
  ipf bigint := pix % ((1::bigint << hpx_order) * (1::bigint << hpx_order));
  jrll integer[] := ARRAY[2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4];
  jpll integer[] := ARRAY[1, 3, 5, 7, 0, 2, 4, 6, 1, 3, 5, 7];
  ix bigint := 0; iy bigint := 0; bit integer; jr bigint; nr bigint; kshift bigint;
  jpos bigint; z float8; phi float8;
BEGIN
  FOR bit IN 0 .. hpx_order - 1 LOOP
    ix := ix | (((ipf >> (2 * bit)) & 1) << bit);
    iy := iy | (((ipf >> (2 * bit + 1)) & 1) << bit);
  END LOOP;
  jr := jrll[face + 1] * nside - ix - iy - 1;
  IF jr < nside THEN
    nr := jr; z := 1 - nr * nr / (3.0 * npface); kshift := 0;
  ELSIF jr > 3 * nside THEN
    nr := 4 * nside - jr; z := nr * nr / (3.0 * npface) - 1; kshift := 0;
  ELSE
    nr := nside; z := (2 * nside - jr) * 2.0 / (3.0 * nside); kshift := (jr - nside) & 1;
  END IF;
  jpos := (jpll[face + 1] * nr + ix - iy + 1 + kshift) / 2;
  IF jpos > 4 * nside THEN jpos := jpos - 4 * nside; END IF;
  IF jpos < 1 THEN jpos := jpos + 4 * nside; END IF;
  phi := (jpos - (kshift + 1) * 0.5) * (pi() / 2 / nr);
  RETURN spoint(phi, asin(z));
END
$$;
