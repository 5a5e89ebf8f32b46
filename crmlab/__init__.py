"""crmlab — customer relationship management analytics for the crmlab course.

Submodules (import the one you need)::

    from crmlab import data, value, rfm, tiers, lifecycle, loyalty, kpi, clv, plots, composition

``crmlab`` works on any event log with the right columns — a simulated one
from :mod:`sim` or a real shop's export — and never imports the simulator.
"""
from crmlab.errors import CRMDataError

__version__ = "0.1.0"
__all__ = ["CRMDataError", "__version__"]
