"""Domain tables of schema ``obsportal``: the truth the harvesters write.

``ivoa.obscore`` is a view over these (see :mod:`schema.views`). They are also
published through TAP with their keys declared, so a TOPCAT user can join an
exposure to its baselines' u,v and to its calibrators.
"""

from __future__ import annotations

from .model import AdqlType as T
from .model import Column, ForeignKey, Index, SkyPosition, Table

S = "obsportal"


def _pk(name: str, description: str) -> Column:
    return Column(name, T.BIGINT, description, ucd="meta.id;meta.main", primary_key=True,
                  nullable=False, principal=True, indexed=True, autoincrement=True)


def _fk(name: str, description: str, *, nullable: bool = True) -> Column:
    return Column(name, T.BIGINT, description, ucd="meta.id", nullable=nullable,
                  principal=True, indexed=True)


def _healpix() -> Column:
    return Column("healpix", T.BIGINT,
                  "HEALPix NESTED index of (ra, dec) at order 12 (SQLite cone prefilter).",
                  published=False, indexed=True)


PROGRAM = Table(
    schema=S,
    name="program",
    description="Observing programmes: ESO runs (0103.C-0347(A)) and CHARA programs.",
    columns=(
        _pk("program_id", "Programme key."),
        Column("code", T.VARCHAR, "Programme identifier as published by the observatory.",
               ucd="meta.id;obs.proposal", nullable=False, unique=True, principal=True,
               indexed=True),
        Column("title", T.VARCHAR, unicode=True, description="Programme title.", ucd="meta.title;obs.proposal",
               principal=True),
        Column("pi_name", T.VARCHAR, unicode=True, description="Principal investigator.", ucd="meta.id.PI",
               principal=True),
        Column("coi_names", T.VARCHAR, unicode=True, description="Co-investigators, comma separated.", ucd="meta.id"),
        Column("period", T.INTEGER, "ESO period or CHARA semester number.",
               ucd="time.epoch;obs.proposal"),
        Column("facility_name", T.VARCHAR, "Interferometer (VLTI, CHARA).",
               ucd="meta.id;instr.tel"),
    ),
)

TARGET = Table(
    schema=S,
    name="target",
    description=(
        "Resolved science and calibrator objects. Exposures are linked to a target by "
        "position and name evidence; raw header values stay on the exposure."
    ),
    position=SkyPosition("ra", "dec"),
    columns=(
        _pk("target_id", "Target key."),
        Column("name", T.VARCHAR, "Preferred name of the object.", ucd="meta.id;src",
               nullable=False, principal=True, indexed=True),
        Column("name_key", T.VARCHAR,
               "Normalised name (upper case, no blanks or punctuation) used for matching.",
               ucd="meta.id;src", nullable=False, unique=True, indexed=True),
        Column("aliases", T.VARCHAR, unicode=True, description="Other names seen in headers, '|' separated.",
               ucd="meta.id;src"),
        Column("ra", T.DOUBLE, "Right ascension (ICRS).", unit="deg",
               ucd="pos.eq.ra;meta.main", principal=True, indexed=True),
        Column("dec", T.DOUBLE, "Declination (ICRS).", unit="deg",
               ucd="pos.eq.dec;meta.main", principal=True, indexed=True),
        Column("pmra", T.DOUBLE, "Proper motion in RA (times cos dec).", unit="mas/yr",
               ucd="pos.pm;pos.eq.ra"),
        Column("pmdec", T.DOUBLE, "Proper motion in declination.", unit="mas/yr",
               ucd="pos.pm;pos.eq.dec"),
        Column("target_class", T.VARCHAR, "Object class, when known.", ucd="src.class"),
        _healpix(),
    ),
    indexes=(Index("ix_target_position", ("ra", "dec"), method="gist_spoint"),),
)

OB_EXEC = Table(
    schema=S,
    name="ob_exec",
    description=(
        "One execution of an observation block: instrument setup, stations, equivalent "
        "offered configuration, role (SCI/CAL), night and programme."
    ),
    columns=(
        _pk("ob_exec_id", "OB execution key."),
        Column("exec_key", T.VARCHAR,
               "Natural key: facility, instrument, OB id (or first exposure) and start.",
               ucd="meta.id", nullable=False, unique=True),
        Column("facility_name", T.VARCHAR, "Interferometer (VLTI, CHARA).",
               ucd="meta.id;instr.tel", nullable=False, principal=True),
        Column("instrument_name", T.VARCHAR, "Instrument name.", ucd="meta.id;instr",
               nullable=False, principal=True, indexed=True),
        Column("instrument_mode", T.VARCHAR, "ASPRO2 instrument mode name.",
               ucd="instr.setup", principal=True, indexed=True),
        Column("instrument_submode", T.VARCHAR, "Instrument sub-mode.", ucd="instr.setup"),
        Column("stations", T.VARCHAR, "Stations in beam order, space separated.",
               ucd="instr.setup;instr.tel", principal=True),
        Column("stations_sorted", T.VARCHAR, "Stations sorted alphabetically.",
               ucd="instr.setup;instr.tel", indexed=True),
        Column("configuration", T.VARCHAR, "Equivalent offered configuration name.",
               ucd="instr.setup", principal=True, indexed=True),
        Column("configuration_category", T.VARCHAR,
               "small, medium, large, astrometric, extended, UTs (VLTI) or CHARA.",
               ucd="instr.setup"),
        Column("configuration_match", T.VARCHAR,
               "How the configuration was matched: exact, intermediate, subset, "
               "other-period, nearest (NULL: none).",
               ucd="meta.code.qual"),
        Column("period", T.INTEGER, "ESO period (or CHARA semester).", ucd="time.epoch"),
        Column("night", T.VARCHAR, "Local night (date at the start of the night).",
               ucd="time.epoch;obs", principal=True, indexed=True),
        Column("role", T.VARCHAR, "SCI or CAL.", ucd="meta.code.class", principal=True,
               indexed=True),
        Column("ob_id", T.BIGINT, "OB identifier (OBS.ID).", ucd="meta.id;obs",
               indexed=True),
        Column("ob_name", T.VARCHAR, "OB name (OBS.NAME).", ucd="meta.id;obs"),
        Column("container_id", T.BIGINT, "OB container identifier (OBS.CONTAINER.ID).",
               ucd="meta.id"),
        _fk("program_id", "Programme of the OB."),
        _fk("target_id", "Resolved target of the OB."),
        Column("mjd_start", T.DOUBLE, "Start of the first exposure (MJD).", unit="d",
               ucd="time.start;obs", indexed=True),
        Column("mjd_end", T.DOUBLE, "End of the last exposure (MJD).", unit="d",
               ucd="time.end;obs"),
        Column("lst_start", T.DOUBLE, "LST at the start of the OB.", unit="h",
               ucd="time.start"),
        Column("lst_end", T.DOUBLE, "LST at the end of the OB.", unit="h",
               ucd="time.end"),
    ),
    foreign_keys=(
        ForeignKey("ob_exec_program", ("program_id",), "obsportal.program", ("program_id",),
                   "Programme of the OB execution"),
        ForeignKey("ob_exec_target", ("target_id",), "obsportal.target", ("target_id",),
                   "Target of the OB execution"),
    ),
)

EXPOSURE = Table(
    schema=S,
    name="exposure",
    description=(
        "Raw exposures (frames or measurements) with their header values as recorded, "
        "time, LST range, ambient conditions and validation state."
    ),
    position=SkyPosition("ra", "dec"),
    columns=(
        _pk("exposure_id", "Exposure key."),
        Column("dp_id", T.VARCHAR, "Archive identifier of the exposure (DP.ID).",
               ucd="meta.id;meta.dataset", nullable=False, unique=True, principal=True,
               indexed=True),
        _fk("ob_exec_id", "OB execution this exposure belongs to."),
        Column("obs_collection", T.VARCHAR, "Collection the record came from.",
               ucd="meta.id", nullable=False),
        Column("publisher_did", T.VARCHAR, "IVOA dataset identifier.",
               ucd="meta.ref.ivoid", nullable=False),
        Column("target_name", T.VARCHAR, "Resolved target name, else header OBJECT.",
               ucd="meta.id;src", principal=True, indexed=True),
        Column("object", T.VARCHAR, "Header OBJECT keyword, as recorded.", ucd="meta.id;src"),
        Column("ra", T.DOUBLE, "Header RA of the pointing (ICRS).", unit="deg",
               ucd="pos.eq.ra", principal=True, indexed=True),
        Column("dec", T.DOUBLE, "Header DEC of the pointing (ICRS).", unit="deg",
               ucd="pos.eq.dec", principal=True, indexed=True),
        Column("mjd_start", T.DOUBLE, "Start of the exposure (MJD-OBS).", unit="d",
               ucd="time.start;obs.exposure", principal=True, indexed=True),
        Column("mjd_end", T.DOUBLE, "End of the exposure (MJD).", unit="d",
               ucd="time.end;obs.exposure", principal=True, indexed=True),
        Column("lst_start", T.DOUBLE, "LST at the start.", unit="h",
               ucd="time.start", principal=True),
        Column("lst_end", T.DOUBLE, "LST at the end.", unit="h",
               ucd="time.end", principal=True),
        Column("exptime", T.DOUBLE, "Exposure time.", unit="s",
               ucd="time.duration;obs.exposure"),
        Column("tau0", T.DOUBLE, "Coherence time at the start.", unit="s",
               ucd="instr.param;obs.atmos"),
        Column("seeing", T.DOUBLE, "Seeing (FWHM) at the start.", unit="arcsec",
               ucd="instr.obsty.seeing"),
        Column("temperature", T.DOUBLE, "Ambient temperature.", unit="deg_C",
               ucd="phys.temperature;obs.atmos"),
        Column("em_min", T.DOUBLE, "Shortest wavelength.", unit="m", ucd="em.wl;stat.min"),
        Column("em_max", T.DOUBLE, "Longest wavelength.", unit="m", ucd="em.wl;stat.max"),
        Column("em_res_power", T.DOUBLE, "Spectral resolving power.", ucd="spect.resolution"),
        Column("s_fov", T.DOUBLE, "Field of view diameter.", unit="deg",
               ucd="phys.angSize;instr.fov"),
        Column("s_region", T.REGION, "Field of view as an STC-S polygon.",
               ucd="pos.outline;obs.field"),
        Column("access_url", T.CLOB, "Where to get the raw frame.", ucd="meta.ref.url"),
        Column("access_format", T.VARCHAR, "MIME type at access_url.", ucd="meta.code.mime"),
        Column("access_estsize", T.BIGINT, "Estimated file size.", unit="kbyte",
               ucd="phys.size;meta.file"),
        Column("validation_level", T.INTEGER,
               "0 unchecked, 1 checked with warnings, 2 complete and consistent.",
               ucd="meta.code.qual"),
        Column("validation_log", T.VARCHAR, unicode=True, description="Missing or inconsistent header keywords.",
               ucd="meta.note"),
        Column("release_date", T.TIMESTAMP, "Date the data become public.",
               ucd="time.release"),
        Column("data_rights", T.VARCHAR, "public, proprietary or secure.", ucd="meta.code"),
        Column("source", T.VARCHAR,
               "Source whose values won (the richest that reported this exposure).",
               ucd="meta.ref"),
        Column("sources", T.VARCHAR,
               "Every source that reported this exposure, '|' separated, first first.",
               ucd="meta.ref"),
        Column("last_update", T.TIMESTAMP, "Last time the record changed.",
               ucd="time.processing", indexed=True),
        _healpix(),
    ),
    foreign_keys=(
        ForeignKey("exposure_ob_exec", ("ob_exec_id",), "obsportal.ob_exec", ("ob_exec_id",),
                   "OB execution of the exposure"),
    ),
    indexes=(Index("ix_exposure_position", ("ra", "dec"), method="gist_spoint"),),
)

EXPOSURE_BASELINE = Table(
    schema=S,
    name="exposure_baseline",
    description=(
        "Projected baselines of an exposure per station pair: length and position angle "
        "from the header (ISS.PBL/PBLA) and u,v computed from station positions."
    ),
    columns=(
        Column("exposure_id", T.BIGINT, "Exposure.", ucd="meta.id", primary_key=True,
               nullable=False, principal=True, indexed=True),
        Column("station1", T.VARCHAR, "First station of the pair.", ucd="instr.tel",
               primary_key=True, nullable=False, principal=True),
        Column("station2", T.VARCHAR, "Second station of the pair.", ucd="instr.tel",
               primary_key=True, nullable=False, principal=True),
        Column("pbl_start", T.DOUBLE, "Projected baseline length at start (header).",
               unit="m", ucd="instr.baseline;stat.min"),
        Column("pbl_end", T.DOUBLE, "Projected baseline length at end (header).",
               unit="m", ucd="instr.baseline;stat.max"),
        Column("pbla_start", T.DOUBLE, "Projected baseline position angle at start.",
               unit="deg", ucd="pos.posAng;instr.baseline"),
        Column("pbla_end", T.DOUBLE, "Projected baseline position angle at end.",
               unit="deg", ucd="pos.posAng;instr.baseline"),
        Column("u_start", T.DOUBLE, "u coordinate at start (east).", unit="m",
               ucd="stat.fourier;pos"),
        Column("v_start", T.DOUBLE, "v coordinate at start (north).", unit="m",
               ucd="stat.fourier;pos"),
        Column("u_end", T.DOUBLE, "u coordinate at end.", unit="m", ucd="stat.fourier;pos"),
        Column("v_end", T.DOUBLE, "v coordinate at end.", unit="m", ucd="stat.fourier;pos"),
    ),
    foreign_keys=(
        ForeignKey("baseline_exposure", ("exposure_id",), "obsportal.exposure",
                   ("exposure_id",), "Exposure of the baseline"),
    ),
)

CALIB_LINK = Table(
    schema=S,
    name="calib_link",
    description="Calibrator OB executions attached to science OB executions (CAL-SCI-CAL).",
    columns=(
        Column("sci_ob_exec_id", T.BIGINT, "Science OB execution.", ucd="meta.id",
               primary_key=True, nullable=False, principal=True, indexed=True),
        Column("cal_ob_exec_id", T.BIGINT, "Calibrator OB execution.", ucd="meta.id",
               primary_key=True, nullable=False, principal=True, indexed=True),
        Column("side", T.VARCHAR, "Calibrator before or after the science OB.",
               ucd="meta.code", principal=True),
        Column("time_gap", T.DOUBLE, "Time between the two OB executions.", unit="s",
               ucd="time.interval", principal=True),
        Column("method", T.VARCHAR, "Rule that linked them (container, adjacency...).",
               ucd="meta.code"),
        Column("score", T.DOUBLE, "Confidence of the link, 0 to 1.", ucd="stat.value"),
    ),
    foreign_keys=(
        ForeignKey("calib_link_sci", ("sci_ob_exec_id",), "obsportal.ob_exec",
                   ("ob_exec_id",), "Science OB execution"),
        ForeignKey("calib_link_cal", ("cal_ob_exec_id",), "obsportal.ob_exec",
                   ("ob_exec_id",), "Calibrator OB execution"),
    ),
)

HEADER_ISSUE = Table(
    schema=S,
    name="header_issue",
    description="Exposures whose header name or coordinates disagree with their target.",
    columns=(
        _pk("issue_id", "Issue key."),
        _fk("exposure_id", "Exposure concerned.", nullable=False),
        _fk("target_id", "Target the exposure was linked to."),
        Column("kind", T.VARCHAR, "position, name or both.", ucd="meta.code",
               principal=True),
        Column("header_object", T.VARCHAR, "OBJECT as recorded.", ucd="meta.id;src",
               principal=True),
        Column("header_ra", T.DOUBLE, "RA as recorded.", unit="deg", ucd="pos.eq.ra"),
        Column("header_dec", T.DOUBLE, "DEC as recorded.", unit="deg", ucd="pos.eq.dec"),
        Column("separation", T.DOUBLE, "Distance between header and target position.",
               unit="arcsec", ucd="pos.angDistance", principal=True),
        Column("detail", T.VARCHAR, unicode=True, description="Explanation.", ucd="meta.note"),
    ),
    foreign_keys=(
        ForeignKey("header_issue_exposure", ("exposure_id",), "obsportal.exposure",
                   ("exposure_id",), "Exposure with the issue"),
        ForeignKey("header_issue_target", ("target_id",), "obsportal.target",
                   ("target_id",), "Target the exposure was linked to"),
    ),
)

DATA_PRODUCT = Table(
    schema=S,
    name="data_product",
    description="Reduced and calibrated products (OIFITS) at calib_level 1-3.",
    position=SkyPosition("s_ra", "s_dec"),
    columns=(
        _pk("product_id", "Product key."),
        Column("obs_id", T.VARCHAR, "Product identifier.", ucd="meta.id", nullable=False,
               principal=True, indexed=True),
        Column("obs_publisher_did", T.VARCHAR, "IVOA dataset identifier.",
               ucd="meta.ref.ivoid", nullable=False, unique=True),
        Column("obs_collection", T.VARCHAR, "Collection.", ucd="meta.id", nullable=False),
        Column("calib_level", T.INTEGER, "Calibration level 1-3.", ucd="meta.code;obs.calib",
               nullable=False, principal=True),
        Column("dataproduct_type", T.VARCHAR, "Product type.", ucd="meta.code.class"),
        _fk("ob_exec_id", "OB execution the product comes from, when known."),
        _fk("target_id", "Resolved target."),
        Column("target_name", T.VARCHAR, "Target name.", ucd="meta.id;src", principal=True,
               indexed=True),
        Column("s_ra", T.DOUBLE, "Right ascension.", unit="deg", ucd="pos.eq.ra",
               principal=True, indexed=True),
        Column("s_dec", T.DOUBLE, "Declination.", unit="deg", ucd="pos.eq.dec",
               principal=True, indexed=True),
        Column("s_fov", T.DOUBLE, "Field of view diameter.", unit="deg",
               ucd="phys.angSize;instr.fov"),
        Column("s_region", T.REGION, "Covered region.", ucd="pos.outline;obs.field"),
        Column("s_resolution", T.DOUBLE, "Angular resolution.", unit="arcsec",
               ucd="pos.angResolution"),
        Column("t_min", T.DOUBLE, "Start (MJD).", unit="d", ucd="time.start;obs.exposure",
               indexed=True),
        Column("t_max", T.DOUBLE, "Stop (MJD).", unit="d", ucd="time.end;obs.exposure",
               indexed=True),
        Column("t_exptime", T.DOUBLE, "Exposure time.", unit="s",
               ucd="time.duration;obs.exposure"),
        Column("em_min", T.DOUBLE, "Shortest wavelength.", unit="m", ucd="em.wl;stat.min"),
        Column("em_max", T.DOUBLE, "Longest wavelength.", unit="m", ucd="em.wl;stat.max"),
        Column("em_res_power", T.DOUBLE, "Resolving power.", ucd="spect.resolution"),
        Column("em_xel", T.BIGINT, "Number of spectral channels.", ucd="meta.number"),
        Column("o_ucd", T.VARCHAR, "Observable UCD.", ucd="meta.ucd"),
        Column("pol_states", T.VARCHAR, "Polarisation states.",
               ucd="meta.code;phys.polarization"),
        Column("facility_name", T.VARCHAR, "Interferometer.", ucd="meta.id;instr.tel"),
        Column("instrument_name", T.VARCHAR, "Instrument.", ucd="meta.id;instr",
               indexed=True),
        Column("instrument_mode", T.VARCHAR, "Instrument mode (ASPRO2 name).",
               ucd="instr.setup"),
        Column("stations", T.VARCHAR, "Stations.", ucd="instr.setup;instr.tel"),
        Column("configuration", T.VARCHAR, "Equivalent configuration.", ucd="instr.setup"),
        Column("obs_type", T.VARCHAR, "science or calibrator.", ucd="meta.code.class"),
        Column("proposal_id", T.VARCHAR, "Programme identifier.", ucd="meta.id;obs.proposal",
               indexed=True),
        Column("night", T.VARCHAR, "Local night.", ucd="time.epoch;obs"),
        Column("access_url", T.CLOB, "Product URL.", ucd="meta.ref.url"),
        Column("access_format", T.VARCHAR, "MIME type.", ucd="meta.code.mime"),
        Column("access_estsize", T.BIGINT, "Size.", unit="kbyte", ucd="phys.size;meta.file"),
        Column("release_date", T.TIMESTAMP, "Public release date.", ucd="time.release"),
        Column("data_rights", T.VARCHAR, "Access rights.", ucd="meta.code"),
        Column("creator_name", T.VARCHAR, unicode=True, description="Creator / PI.", ucd="meta.id"),
        Column("target_class", T.VARCHAR, "Target class.", ucd="src.class"),
        Column("source", T.VARCHAR, "Harvester that produced the record.", ucd="meta.ref"),
        Column("last_update", T.TIMESTAMP, "Last change.", ucd="time.processing"),
        _healpix(),
    ),
    foreign_keys=(
        ForeignKey("product_ob_exec", ("ob_exec_id",), "obsportal.ob_exec", ("ob_exec_id",),
                   "OB execution of the product"),
        ForeignKey("product_target", ("target_id",), "obsportal.target", ("target_id",),
                   "Target of the product"),
    ),
    unique_constraints=(("obs_id", "obs_collection"),),
    indexes=(Index("ix_data_product_position", ("s_ra", "s_dec"), method="gist_spoint"),),
)

DOMAIN_TABLES = (PROGRAM, TARGET, OB_EXEC, EXPOSURE, EXPOSURE_BASELINE, CALIB_LINK,
                 HEADER_ISSUE, DATA_PRODUCT)
