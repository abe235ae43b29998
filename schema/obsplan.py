"""``ivoa.obsplan``: ObsLocTAP 1.0 (REC-ObsLocTAP-1.0, section 3).

Column names, units, UCDs, utypes and NOT NULLs follow the standard's table;
utypes carry no prefix, as in the standard (and as ``stilts taplint`` checks).
Rows are planned observations owned by a team: the table is private
(row-level security on PostgreSQL, translator predicates on SQLite).
"""

from __future__ import annotations

from .model import AdqlType as T
from .model import Column, ForeignKey, Index, Table

OBSLOCTAP_UTYPE = "ivo://ivoa.net/std/obsloctap#table-1.0"
OBSLOCTAP_DM = "ivo://ivoa.net/std/ObsLocTAP#table-1.0"

EXECUTION_STATUSES = ("Planned", "Scheduled", "Unscheduled", "Performed", "Aborted")
CATEGORIES = ("Fixed", "Coordinated", "Window", "Other")
TRACKING_TYPES = ("Sidereal", "Solar-system-object-tracking", "Fixed-az-el-transit")


def _c(
    name: str,
    datatype: T,
    description: str,
    unit: str | None = None,
    ucd: str | None = None,
    utype: str | None = None,
    *,
    nullable: bool = True,
    indexed: bool = False,
) -> Column:
    return Column(
        name=name,
        datatype=datatype,
        description=description,
        unit=unit,
        ucd=ucd,
        utype=utype,
        std=True,
        principal=True,
        nullable=nullable,
        indexed=indexed,
    )


OBSPLAN = Table(
    schema="ivoa",
    name="obsplan",
    description=(
        "ObsLocTAP 1.0 observation plan: planned, scheduled and performed observations "
        "prepared by teams. Rows are visible only to their team, the instrument PI "
        "(from submission on) and site administrators."
    ),
    utype=OBSLOCTAP_UTYPE,
    private=True,
    columns=(
        Column("plan_id", T.BIGINT, "Plan key (joins obsportal.plan_execution).",
               ucd="meta.id;meta.main", primary_key=True, autoincrement=True,
               nullable=False),
        Column("team_id", T.BIGINT, "Owning team (access control).", nullable=False,
               published=False, indexed=True),
        Column("proposal_id", T.BIGINT, "Proposal grouping this plan.", published=False,
               indexed=True),
        Column("submitted_at", T.TIMESTAMP, "First submission (UTC): instrument PIs see "
               "the plan from then on.", published=False),
        Column("created_by", T.VARCHAR, "User who created the plan.", published=False),
        Column("updated", T.TIMESTAMP, "Last change (UTC).", published=False),
        _c("t_planning", T.DOUBLE,
           "Time in MJD when this observation was added to or modified in the planning log.",
           "d", nullable=False),
        _c("target_name", T.VARCHAR, "Astronomical object observed, if any.", None,
           "meta.id;src", "Target.name", indexed=True),
        _c("obs_id", T.VARCHAR, "Observation identifier (plan identifier).", None, "meta.id",
           "DataID.observationID", nullable=False, indexed=True),
        _c("obs_collection", T.VARCHAR, "Name of the data collection.", None, "meta.id",
           "DataID.collection"),
        _c("s_ra", T.DOUBLE, "Central right ascension, ICRS.", "deg", "pos.eq.ra",
           "Char.SpatialAxis.Coverage.Location.Coord.Position2D.Value2.C1"),
        _c("s_dec", T.DOUBLE, "Central declination, ICRS.", "deg", "pos.eq.dec",
           "Char.SpatialAxis.Coverage.Location.Coord.Position2D.Value2.C2"),
        _c("s_fov", T.DOUBLE, "Diameter (bounds) of the covered region.", "deg",
           "phys.angSize;instr.fov", "Char.SpatialAxis.Coverage.Bounds.Extent.diameter"),
        _c("s_region", T.REGION, "Sky region covered by the observation (ICRS).", None,
           "pos.outline;obs.field", "Char.SpatialAxis.Coverage.Support.Area"),
        _c("s_resolution", T.DOUBLE, "Spatial resolution of data as FWHM.", "arcsec",
           "pos.angResolution", "Char.SpatialAxis.Resolution.Refval.value"),
        _c("t_min", T.DOUBLE, "Start time in MJD.", "d", "time.start;obs.exposure",
           "Char.TimeAxis.Coverage.Bounds.Limits.StartTime", indexed=True),
        _c("t_max", T.DOUBLE, "Stop time in MJD.", "d", "time.end;obs.exposure",
           "Char.TimeAxis.Coverage.Bounds.Limits.StopTime", indexed=True),
        _c("t_exptime", T.DOUBLE, "Total exposure time.", "s", "time.duration;obs.exposure",
           "Char.TimeAxis.Coverage.Support.Extent"),
        _c("t_resolution", T.DOUBLE, "Temporal resolution FWHM.", "s", "time.resolution",
           "Char.TimeAxis.Resolution.Refval.value"),
        _c("em_min", T.DOUBLE, "Start in spectral coordinates.", "m", "em.wl;stat.min",
           "Char.SpectralAxis.Coverage.Bounds.Limits.LoLimit"),
        _c("em_max", T.DOUBLE, "Stop in spectral coordinates.", "m", "em.wl;stat.max",
           "Char.SpectralAxis.Coverage.Bounds.Limits.HiLimit"),
        _c("em_res_power", T.DOUBLE, "Spectral resolving power.", None, "spect.resolution",
           "Char.SpectralAxis.Resolution.ResolPower.refVal"),
        _c("o_ucd", T.VARCHAR, "UCD of the observable.", None, "meta.ucd",
           "Char.ObservableAxis.ucd"),
        _c("pol_states", T.VARCHAR, "List of polarization states, or NULL.", None,
           "meta.code;phys.polarization", "Char.PolarizationAxis.stateList"),
        _c("pol_xel", T.BIGINT, "Number of polarization samples.", None, "meta.number",
           "Char.PolarizationAxis.numBins"),
        _c("facility_name", T.VARCHAR, "Name of the facility (VLTI, CHARA).", None,
           "meta.id;instr.tel", "Provenance.ObsConfig.Facility.name", nullable=False),
        _c("instrument_name", T.VARCHAR, "Name of the instrument.", None, "meta.id;instr",
           "Provenance.ObsConfig.Instrument.name", indexed=True),
        _c("t_plan_exptime", T.DOUBLE, "Planned or scheduled exposure time.", "s",
           "time.duration;obs.exposure", "Char.TimeAxis.Coverage.Support.Extent"),
        _c("category", T.VARCHAR,
           "Observation category: Fixed, Coordinated, Window or Other.", nullable=False),
        _c("priority", T.INTEGER, "Priority level: 0, 1 or 2.", nullable=False),
        _c("execution_status", T.VARCHAR,
           "Planned, Scheduled, Unscheduled, Performed or Aborted.", nullable=False,
           indexed=True),
        _c("tracking_type", T.VARCHAR,
           "Sidereal, Solar-system-object-tracking or Fixed-az-el-transit.", nullable=False),
        # Interferometry and workflow columns (not in ObsLocTAP 1.0, allowed as extras).
        Column("workflow_status", T.VARCHAR,
               "Preparation workflow: draft, submitted, accepted, planned, scheduled, done, "
               "cancelled, rejected (mapped onto execution_status).", ucd="meta.code.status",
               nullable=False, principal=True, indexed=True),
        Column("instrument_mode", T.VARCHAR, "ASPRO2 instrument mode name.",
               ucd="instr.setup", principal=True),
        Column("configuration", T.VARCHAR,
               "Requested array configuration (stations, e.g. A0-B2-D0-C1).",
               ucd="instr.setup;instr.baseline", principal=True),
        Column("period", T.VARCHAR, "ESO period or CHARA semester.",
               ucd="time.epoch;obs.proposal"),
        Column("calibrators", T.VARCHAR, "Calibrator names, '|' separated.",
               ucd="meta.id;src.calib", unicode=True),
        Column("sequence", T.VARCHAR, "Execution order of roles, e.g. CAL-SCI-CAL.",
               ucd="meta.code"),
        Column("ha_min", T.DOUBLE, "Earliest hour angle allowed.", "h", "pos.eq.ha;stat.min"),
        Column("ha_max", T.DOUBLE, "Latest hour angle allowed.", "h", "pos.eq.ha;stat.max"),
        Column("lst_min", T.DOUBLE, "Start of the allowed LST interval.", "h",
               "time.start"),
        Column("lst_max", T.DOUBLE, "End of the allowed LST interval.", "h",
               "time.end"),
        Column("source_file", T.VARCHAR, "Imported file the plan came from.",
               published=False),
    ),
    unique_constraints=(("team_id", "obs_id"),),
    indexes=(Index("ix_obsplan_position", ("s_ra", "s_dec"), method="gist_spoint"),),
    foreign_keys=(
        ForeignKey("obsplan_team", ("team_id",), "auth.team", ("team_id",), published=False),
        ForeignKey("obsplan_proposal", ("proposal_id",), "obsportal.proposal",
                   ("proposal_id",), published=False),
    ),
)
