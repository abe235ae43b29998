"""VOSI capabilities with the TAPRegExt description of the TAP service.

Everything a client may rely on is declared here and derived from the code
that implements it: languages and their feature keys and UDF signatures
(from :mod:`obsportal.adql`), output formats (from :mod:`obsportal.votable`),
upload methods, and the limits of :class:`~obsportal.service.settings.Settings`.
Access URLs are absolute, built from the public URL of the request.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lxml import etree

from ... import adql
from ...schema.obscore import OBSCORE_DM
from ..settings import Settings

VOSI_CAP_NS = "http://www.ivoa.net/xml/VOSICapabilities/v1.0"
VR_NS = "http://www.ivoa.net/xml/VOResource/v1.0"
VS_NS = "http://www.ivoa.net/xml/VODataService/v1.1"
TR_NS = "http://www.ivoa.net/xml/TAPRegExt/v1.0"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
_NSMAP = {"vosi": VOSI_CAP_NS, "vr": VR_NS, "vs": VS_NS, "tr": TR_NS, "xsi": XSI_NS}
_XSI_TYPE = f"{{{XSI_NS}}}type"

OBSLOCTAP_DM = "ivo://ivoa.net/std/ObsLocTAP#table-1.0"
TAPREGEXT = "ivo://ivoa.net/std/TAPRegExt"


@dataclass(frozen=True)
class FormatDeclaration:
    """One output format as TAPRegExt declares it."""

    mime: str
    aliases: tuple[str, ...]
    ivo_id: str | None = None


#: Output formats, in the order of preference (BINARY2 VOTable is the default).
OUTPUT_FORMATS: tuple[FormatDeclaration, ...] = (
    FormatDeclaration("application/x-votable+xml", ("votable", "votable/b2"),
                      f"{TAPREGEXT}#output-votable-binary2"),
    FormatDeclaration("application/x-votable+xml;serialization=TABLEDATA",
                      ("votable/td", "votabletd"), f"{TAPREGEXT}#output-votable-td"),
    FormatDeclaration("application/x-votable+xml;serialization=BINARY",
                      ("votable/b", "votableb"), f"{TAPREGEXT}#output-votable-binary"),
    FormatDeclaration("text/csv;header=present", ("csv",)),
    FormatDeclaration("text/tab-separated-values", ("tsv",)),
    FormatDeclaration("application/json", ("json",)),
)


#: IVOA SSO identifier of HTTP Basic authentication (SSO 2.0, section 3).
BASIC_AA = "ivo://ivoa.net/sso#BasicAA"


def _sub(parent: etree._Element, tag: str, text: str | None = None,
         **attrs: str) -> etree._Element:
    elem = etree.SubElement(parent, tag, **attrs)
    if text is not None:
        elem.text = text
    return elem


def _interface(parent: etree._Element, url: str, use: str, role: str | None = None,
               version: str | None = None, security: tuple[str, ...] = ()) -> None:
    iface = _sub(parent, "interface")
    iface.set(_XSI_TYPE, "vs:ParamHTTP")
    if role:
        iface.set("role", role)
    if version:
        iface.set("version", version)
    _sub(iface, "accessURL", url, use=use)
    for method in security:
        if method:
            _sub(iface, "securityMethod", standardID=method)
        else:
            _sub(iface, "securityMethod")


def _simple_capability(root: etree._Element, standard_id: str, url: str) -> None:
    cap = _sub(root, "capability", standardID=standard_id)
    _interface(cap, url, "full")


def _features(language: etree._Element, feature_type: str,
              forms: Iterable[tuple[str, str | None]]) -> None:
    block = _sub(language, "languageFeatures", type=feature_type)
    for form, description in forms:
        feature = _sub(block, "feature")
        _sub(feature, "form", form)
        if description:
            _sub(feature, "description", description)


def _language(cap: etree._Element) -> None:
    language = _sub(cap, "language")
    _sub(language, "name", "ADQL")
    _sub(language, "version", "2.0", **{"ivo-id": "ivo://ivoa.net/std/ADQL#v2.0"})
    _sub(language, "version", "2.1", **{"ivo-id": "ivo://ivoa.net/std/ADQL#v2.1"})
    _sub(language, "description",
         "ADQL 2.1 (with 2.0 accepted); geometry on ICRS positions in degrees.")
    udfs: Sequence[tuple[str, str, str]] = getattr(adql, "UDF_SIGNATURES", ())
    if udfs:
        _features(language, f"{TAPREGEXT}#features-udf",
                  ((signature, description) for _name, signature, description in udfs))
    features: dict[str, Sequence[str]] = getattr(adql, "ADQL_FEATURES", {})
    for feature_type, forms in features.items():
        _features(language, feature_type, ((form, None) for form in forms))


def _limit(cap: etree._Element, tag: str, default: int, hard: int,
           unit: str | None = None) -> None:
    block = _sub(cap, tag)
    attrs = {"unit": unit} if unit else {}
    _sub(block, "default", str(default), **attrs)
    _sub(block, "hard", str(hard), **attrs)


def capabilities_document(base_url: str, settings: Settings) -> bytes:
    """The ``/tap/capabilities`` document for a service reached at ``base_url`` (…/tap)."""
    base = base_url.rstrip("/")
    root = etree.Element(f"{{{VOSI_CAP_NS}}}capabilities", nsmap=_NSMAP)
    cap = _sub(root, "capability", standardID="ivo://ivoa.net/std/TAP")
    cap.set(_XSI_TYPE, "tr:TableAccess")
    # Anonymous access (an empty securityMethod, VOResource 1.1) for the public log, or
    # an API token as HTTP Basic password for a team's private plans: one interface.
    _interface(cap, base, "base", role="std", version="1.1", security=("", BASIC_AA))
    _sub(cap, "dataModel", "ObsCore-1.1", **{"ivo-id": OBSCORE_DM})
    _sub(cap, "dataModel", "ObsLocTAP-1.0", **{"ivo-id": OBSLOCTAP_DM})
    _language(cap)
    for fmt in OUTPUT_FORMATS:
        attrs = {"ivo-id": fmt.ivo_id} if fmt.ivo_id else {}
        out = _sub(cap, "outputFormat", **attrs)
        _sub(out, "mime", fmt.mime)
        for alias in fmt.aliases:
            _sub(out, "alias", alias)
    _sub(cap, "uploadMethod", **{"ivo-id": f"{TAPREGEXT}#upload-inline"})
    _sub(cap, "uploadMethod", **{"ivo-id": f"{TAPREGEXT}#upload-http"})
    _sub(cap, "uploadMethod", **{"ivo-id": f"{TAPREGEXT}#upload-https"})
    _limit(cap, "retentionPeriod", settings.retention_default, settings.retention_hard)
    _limit(cap, "executionDuration", settings.async_duration_default,
           settings.async_duration_hard)
    _limit(cap, "outputLimit", settings.maxrec_default, settings.maxrec_hard, "row")
    _limit(cap, "uploadLimit", settings.upload_limit, settings.upload_limit, "byte")
    _simple_capability(root, "ivo://ivoa.net/std/VOSI#capabilities", f"{base}/capabilities")
    _simple_capability(root, "ivo://ivoa.net/std/VOSI#availability", f"{base}/availability")
    _simple_capability(root, "ivo://ivoa.net/std/VOSI#tables-1.1", f"{base}/tables")
    _simple_capability(root, "ivo://ivoa.net/std/DALI#examples", f"{base}/examples")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
