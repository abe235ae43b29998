"""DALI examples (``/tap/examples``): XHTML with RDFa, the queries users of this service run.

Each example is a ``div`` of type ``example`` with a ``name``, a ``query`` and
the tables it uses, so TOPCAT lists them in its examples menu and pyvo reads
them with ``TAPService.examples``. The values (target, programme, night, setup)
exist in the bundled demo log, so every public example returns rows on a first run (the
team-plans example returns the caller's own plans, none for anonymous callers).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Example:
    id: str
    name: str
    description: str
    query: str
    tables: tuple[str, ...]


EXAMPLES: tuple[Example, ...] = (
    Example(
        "cone-on-a-target", "What has been observed of a target (cone search)",
        "Exposures within 30 arcsec of a position, with the setup an ASPRO2 user compares "
        "with: instrument, mode, configuration, night and LST range.",
        "SELECT obs_id, target_name, obs_type, instrument_name, instrument_mode,\n"
        "       configuration, interferometer_stations, night, exp_lst_start, exp_lst_end,\n"
        "       DISTANCE(POINT('ICRS', s_ra, s_dec), POINT('ICRS', 260.0491, 21.9398))"
        " AS dist\n"
        "FROM ivoa.obscore\n"
        "WHERE 1 = CONTAINS(POINT('ICRS', s_ra, s_dec),\n"
        "                   CIRCLE('ICRS', 260.0491, 21.9398, 30/3600.))\n"
        "ORDER BY t_min",
        ("ivoa.obscore",)),
    Example(
        "programme", "All exposures of a programme",
        "Exposures of one ESO run (or CHARA programme) with their targets and roles.",
        "SELECT night, target_name, obs_type, instrument_name, instrument_mode,"
        " configuration, COUNT(*) AS exposures\n"
        "FROM ivoa.obscore\nWHERE proposal_id = '113.2281.001'\n"
        "GROUP BY night, target_name, obs_type, instrument_name, instrument_mode,"
        " configuration\nORDER BY night, target_name",
        ("ivoa.obscore",)),
    Example(
        "night", "One night at the interferometer",
        "The sequence of OB executions of a night, in time order, with ambient conditions.",
        "SELECT ob_id, target_name, obs_type, instrument_name, instrument_mode,\n"
        "       MIN(t_min) AS start_mjd, MAX(t_max) AS end_mjd, AVG(exp_seeing) AS seeing,\n"
        "       AVG(exp_tau0) AS tau0\n"
        "FROM ivoa.obscore\nWHERE night = '2023-06-25'\n"
        "GROUP BY ob_id, target_name, obs_type, instrument_name, instrument_mode\n"
        "ORDER BY start_mjd",
        ("ivoa.obscore",)),
    Example(
        "mode-and-configuration", "A setup: instrument mode and array configuration",
        "Which targets were observed with GRAVITY MEDIUM-COMBINED on the UTs, and when.",
        "SELECT target_name, night, COUNT(*) AS exposures,"
        " MIN(exp_lst_start) AS lst_from, MAX(exp_lst_end) AS lst_to\n"
        "FROM ivoa.obscore\n"
        "WHERE instrument_name = 'GRAVITY' AND instrument_mode = 'MEDIUM-COMBINED'\n"
        "  AND configuration = 'UT1-UT2-UT3-UT4'\n"
        "GROUP BY target_name, night\nORDER BY night",
        ("ivoa.obscore",)),
    Example(
        "cal-sci-cal", "Calibrators observed around a science target (CAL-SCI-CAL)",
        "The calibrator OB executions linked to each science OB execution of a target "
        "(obsportal.calib_link: same night and setup, nearest before and after within 10 "
        "degrees), with the gap in minutes.",
        "SELECT s.ob_id AS science_ob, s.night AS obs_night, l.side, c.ob_id AS calibrator_ob,\n"
        "       ct.name AS calibrator, l.time_gap / 60 AS gap_min, l.score\n"
        "FROM obsportal.calib_link AS l\n"
        "JOIN obsportal.ob_exec AS s ON s.ob_exec_id = l.sci_ob_exec_id\n"
        "JOIN obsportal.target AS st ON st.target_id = s.target_id\n"
        "JOIN obsportal.ob_exec AS c ON c.ob_exec_id = l.cal_ob_exec_id\n"
        "JOIN obsportal.target AS ct ON ct.target_id = c.target_id\n"
        "WHERE st.name = 'HD 3203'\n"
        "ORDER BY obs_night, science_ob, side",
        ("obsportal.calib_link", "obsportal.ob_exec", "obsportal.target")),
    Example(
        "upload-target-list", "Observations of a list of targets (TAP_UPLOAD)",
        "Upload a VOTable of targets (name, ra, dec) as TAP_UPLOAD.targets and find the "
        "exposures within 30 arcsec of each, by header pointing or by resolved target (header "
        "coordinates can be off): the same exposures as /search.votable and "
        "/api/observations/match.",
        "SELECT DISTINCT n.target, o.obs_id\n"
        "FROM (SELECT t.name AS target, t.ra, t.dec, g.name AS resolved\n"
        "      FROM TAP_UPLOAD.targets AS t\n"
        "      LEFT OUTER JOIN obsportal.target AS g\n"
        "        ON 1 = CONTAINS(POINT('ICRS', g.ra, g.dec),"
        " CIRCLE('ICRS', t.ra, t.dec, 30/3600.))) AS n\n"
        "JOIN ivoa.obscore AS o\n"
        "  ON o.target_name = n.resolved\n"
        "  OR 1 = CONTAINS(POINT('ICRS', o.s_ra, o.s_dec),"
        " CIRCLE('ICRS', n.ra, n.dec, 30/3600.))\n"
        "ORDER BY target, obs_id",
        ("ivoa.obscore", "obsportal.target")),
    Example(
        "team-plans-and-executions", "Your team's plans and what became of them",
        "Planned observations of your teams (sign in with an API token: anonymous callers "
        "see none), with their workflow state and, once executed, the OB execution that "
        "carried them out and how it was matched.",
        "SELECT p.obs_id, p.target_name, p.instrument_name, p.instrument_mode,\n"
        "       p.configuration, p.workflow_status, p.execution_status,\n"
        "       p.t_planning, x.night, x.configuration AS observed_configuration,\n"
        "       e.rule, e.score\n"
        "FROM ivoa.obsplan AS p\n"
        "LEFT OUTER JOIN obsportal.plan_execution AS e ON e.plan_id = p.plan_id\n"
        "LEFT OUTER JOIN obsportal.ob_exec AS x ON x.ob_exec_id = e.ob_exec_id\n"
        "ORDER BY t_planning DESC",
        ("ivoa.obsplan", "obsportal.plan_execution", "obsportal.ob_exec")),
)


def examples_document(tap_url: str) -> bytes:
    sections = []
    for example in EXAMPLES:
        tables = "".join(f'<li><span property="table">{escape(t)}</span></li>'
                         for t in example.tables)
        sections.append(
            f'<div typeof="example" id="{example.id}" resource="#{example.id}">\n'
            f'<h2 property="name">{escape(example.name)}</h2>\n'
            f"<p>{escape(example.description)}</p>\n"
            f'<pre class="dachs-ex-tapquery" property="query">{escape(example.query)}</pre>\n'
            f"<p>Tables:</p><ul>{tables}</ul>\n</div>\n")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE html>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" lang="en">\n'
        "<head><title>ObsPortal TAP examples</title>"
        '<meta http-equiv="Content-Type" content="application/xhtml+xml; charset=utf-8"/>'
        "</head>\n"
        '<body vocab="http://www.ivoa.net/rdf/examples#">\n'
        "<h1>Example queries</h1>\n"
        f"<p>Run them against the TAP service at <code>{escape(tap_url)}</code>.</p>\n"
        + "".join(sections) + "</body>\n</html>\n").encode("utf-8")
