"""``ivoa.obscore``: ObsCore 1.1 (ObsTAP) plus interferometry extension columns.

Units, UCDs and utypes of the standard columns are those of ObsCore 1.1
(REC-ObsCore-v1.1, Table 6, with Errata 1 and 2), which is also what
``stilts taplint`` checks. The table is a view over the domain tables (see
:mod:`schema.views`): one row per exposure at calib_level 0 and one row per
harvested product at calib_level 1-3.
"""

from __future__ import annotations

from .model import AdqlType as T
from .model import Column, SkyPosition, Table

OBSCORE_UTYPE = "ivo://ivoa.net/std/ObsCore#table-1.1"
OBSCORE_DM = "ivo://ivoa.net/std/ObsCore#core-1.1"


def _std(
    name: str,
    datatype: T,
    utype: str,
    ucd: str,
    description: str,
    unit: str | None = None,
    *,
    nullable: bool = True,
    principal: bool = True,
    indexed: bool = False,
    unicode: bool = False,
) -> Column:
    return Column(
        name=name,
        datatype=datatype,
        description=description,
        unit=unit,
        ucd=ucd,
        unicode=unicode,
        utype=f"obscore:{utype}",
        std=True,
        nullable=nullable,
        principal=principal,
        indexed=indexed,
    )


def _ext(
    name: str,
    datatype: T,
    ucd: str | None,
    description: str,
    unit: str | None = None,
    *,
    principal: bool = True,
    indexed: bool = False,
) -> Column:
    return Column(
        name=name,
        datatype=datatype,
        description=description,
        unit=unit,
        ucd=ucd,
        principal=principal,
        indexed=indexed,
    )


MANDATORY_COLUMNS: tuple[Column, ...] = (
    _std("dataproduct_type", T.VARCHAR, "ObsDataset.dataProductType", "meta.code.class",
         "Data product type: 'visibility' for interferometric exposures and OIFITS products."),
    _std("calib_level", T.INTEGER, "ObsDataset.calibLevel", "meta.code;obs.calib",
         "Calibration level: 0 raw exposure log entry, 1-3 reduced/calibrated OIFITS products.",
         nullable=False),
    _std("obs_collection", T.VARCHAR, "DataID.Collection", "meta.id",
         "Name of the data collection (source of the record).", nullable=False),
    _std("obs_id", T.VARCHAR, "DataID.observationID", "meta.id",
         "Observation identifier: the archive DP.ID of the exposure or the product id.",
         nullable=False, indexed=True),
    _std("obs_publisher_did", T.VARCHAR, "Curation.PublisherDID", "meta.ref.ivoid",
         "IVOA dataset identifier given by this publisher.", nullable=False),
    _std("access_url", T.CLOB, "Access.Reference", "meta.ref.url",
         "URL to retrieve the data (archive request or product file)."),
    _std("access_format", T.VARCHAR, "Access.Format", "meta.code.mime",
         "MIME type of the data at access_url."),
    _std("access_estsize", T.BIGINT, "Access.Size", "phys.size;meta.file",
         "Estimated size of the data at access_url.", "kbyte"),
    _std("target_name", T.VARCHAR, "Target.Name", "meta.id;src",
         "Name of the observed object (resolved target name, else the header OBJECT).",
         indexed=True),
    _std("s_ra", T.DOUBLE,
         "Char.SpatialAxis.Coverage.Location.Coord.Position2D.Value2.C1", "pos.eq.ra",
         "Right ascension (ICRS) of the pointing.", "deg", indexed=True),
    _std("s_dec", T.DOUBLE,
         "Char.SpatialAxis.Coverage.Location.Coord.Position2D.Value2.C2", "pos.eq.dec",
         "Declination (ICRS) of the pointing.", "deg", indexed=True),
    _std("s_fov", T.DOUBLE, "Char.SpatialAxis.Coverage.Bounds.Extent.diameter",
         "phys.angSize;instr.fov", "Diameter of the instrument field of view.", "deg"),
    _std("s_region", T.REGION, "Char.SpatialAxis.Coverage.Support.Area",
         "pos.outline;obs.field", "Sky region covered (field of view), STC-S polygon.",
         principal=False),
    _std("s_resolution", T.DOUBLE, "Char.SpatialAxis.Resolution.Refval.value",
         "pos.angResolution", "Angular resolution (lambda / longest projected baseline).",
         "arcsec"),
    _std("s_xel1", T.BIGINT, "Char.SpatialAxis.numBins1", "meta.number",
         "Number of elements along the first spatial axis.", principal=False),
    _std("s_xel2", T.BIGINT, "Char.SpatialAxis.numBins2", "meta.number",
         "Number of elements along the second spatial axis.", principal=False),
    _std("t_min", T.DOUBLE, "Char.TimeAxis.Coverage.Bounds.Limits.StartTime",
         "time.start;obs.exposure", "Start time of the exposure (MJD, UTC).", "d",
         indexed=True),
    _std("t_max", T.DOUBLE, "Char.TimeAxis.Coverage.Bounds.Limits.StopTime",
         "time.end;obs.exposure", "Stop time of the exposure (MJD, UTC).", "d", indexed=True),
    _std("t_exptime", T.DOUBLE, "Char.TimeAxis.Coverage.Support.Extent",
         "time.duration;obs.exposure", "Total exposure time.", "s"),
    _std("t_resolution", T.DOUBLE, "Char.TimeAxis.Resolution.Refval.value",
         "time.resolution", "Temporal resolution (detector integration time).", "s",
         principal=False),
    _std("t_xel", T.BIGINT, "Char.TimeAxis.numBins", "meta.number",
         "Number of elements along the time axis.", principal=False),
    _std("em_min", T.DOUBLE, "Char.SpectralAxis.Coverage.Bounds.Limits.LoLimit",
         "em.wl;stat.min", "Shortest wavelength observed.", "m"),
    _std("em_max", T.DOUBLE, "Char.SpectralAxis.Coverage.Bounds.Limits.HiLimit",
         "em.wl;stat.max", "Longest wavelength observed.", "m"),
    _std("em_res_power", T.DOUBLE, "Char.SpectralAxis.Resolution.ResolPower.refVal",
         "spect.resolution", "Spectral resolving power lambda/dlambda."),
    _std("em_xel", T.BIGINT, "Char.SpectralAxis.numBins", "meta.number",
         "Number of spectral channels.", principal=False),
    _std("o_ucd", T.VARCHAR, "Char.ObservableAxis.ucd", "meta.ucd",
         "UCD of the observable quantity.", principal=False),
    _std("pol_states", T.VARCHAR, "Char.PolarizationAxis.stateList",
         "meta.code;phys.polarization", "Polarisation states, if any.", principal=False),
    _std("pol_xel", T.BIGINT, "Char.PolarizationAxis.numBins", "meta.number",
         "Number of polarisation samples.", principal=False),
    _std("facility_name", T.VARCHAR, "Provenance.ObsConfig.Facility.name",
         "meta.id;instr.tel", "Interferometer: VLTI or CHARA."),
    _std("instrument_name", T.VARCHAR, "Provenance.ObsConfig.Instrument.name",
         "meta.id;instr", "Instrument (beam combiner) name.", indexed=True),
)

OPTIONAL_COLUMNS: tuple[Column, ...] = (
    _std("obs_title", T.VARCHAR, "DataID.Title", "meta.title;obs",
         "Title of the programme the observation belongs to.", principal=False,
         unicode=True),
    _std("proposal_id", T.VARCHAR, "Provenance.Proposal.identifier", "meta.id;obs.proposal",
         "Programme identifier (ESO run id such as 0103.C-0347(A), or CHARA program).",
         indexed=True),
    _std("obs_release_date", T.TIMESTAMP, "Curation.releaseDate", "time.release",
         "Date the data become public."),
    _std("data_rights", T.VARCHAR, "Curation.Rights", "meta.code",
         "Access rights of the data: public, proprietary or secure.", principal=False),
    _std("obs_creator_name", T.VARCHAR, "DataID.Creator", "meta.id",
         "Principal investigator of the programme.", principal=False, unicode=True),
    _std("target_class", T.VARCHAR, "Target.Class", "src.class",
         "Class of the target object, when known.", principal=False),
)

EXTENSION_COLUMNS: tuple[Column, ...] = (
    _ext("obs_type", T.VARCHAR, "meta.code.class",
         "Role of the observation in its sequence: science or calibrator.", indexed=True),
    _ext("instrument_mode", T.VARCHAR, "instr.setup",
         "Instrument mode, named as in ASPRO2 (e.g. MEDIUM-COMBINED, LOW-LM).", indexed=True),
    _ext("instrument_submode", T.VARCHAR, "instr.setup",
         "Instrument sub-mode (e.g. fringe tracker mode, dispersion of the second band)."),
    _ext("interferometer_stations", T.VARCHAR, "instr.setup;instr.tel",
         "Stations used, space separated, in beam order (e.g. A0 G1 J2 K0; UT1..UT4, S1 W2)."),
    _ext("configuration", T.VARCHAR, "instr.setup",
         "Equivalent offered array configuration, named by its stations (e.g. A0-G1-J2-K0).", indexed=True),
    _ext("ob_id", T.BIGINT, "meta.id;obs",
         "Observation block identifier (OBS.ID).", indexed=True),
    _ext("night", T.VARCHAR, "time.epoch;obs",
         "Local night of the observation, as the date at the start of the night (YYYY-MM-DD).",
         indexed=True),
    _ext("exp_tau0", T.DOUBLE, "instr.param;obs.atmos",
         "Coherence time tau0 at the start of the exposure.", "s"),
    _ext("exp_seeing", T.DOUBLE, "instr.obsty.seeing",
         "Seeing (DIMM FWHM) at the start of the exposure.", "arcsec"),
    _ext("exp_lst_start", T.DOUBLE, "time.start",
         "Local sidereal time at the start of the exposure.", "h"),
    _ext("exp_lst_end", T.DOUBLE, "time.end",
         "Local sidereal time at the end of the exposure.", "h"),
)

OBSCORE = Table(
    schema="ivoa",
    name="obscore",
    description=(
        "ObsCore 1.1 view of the interferometric observation log: one row per exposure "
        "(calib_level 0) and per harvested OIFITS product (calib_level 1-3)."
    ),
    columns=MANDATORY_COLUMNS + OPTIONAL_COLUMNS + EXTENSION_COLUMNS + (
        Column("healpix", T.BIGINT, "HEALPix NESTED order-12 index of (s_ra, s_dec).",
               published=False),
    ),
    utype=OBSCORE_UTYPE,
    kind="view",
    position=SkyPosition("s_ra", "s_dec"),
)

#: Names accepted by the ``obscore-table`` loader beyond the ObsCore columns.
EXTENSION_NAMES = tuple(c.name for c in EXTENSION_COLUMNS)
