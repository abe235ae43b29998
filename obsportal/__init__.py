"""ObsPortal: TAP service for interferometric observation logs.

The import package ``obsportal`` gathers the top-level folders of the
repository as subpackages (``obsportal.schema`` is ``schema/``, and so on for
``adql``, ``votable``, ``harvesters`` and ``service``), so that none of them
takes a top-level import name that popular PyPI packages already use.
"""

__version__ = "0.1.0"
