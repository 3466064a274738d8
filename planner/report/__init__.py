"""Reports of a written plan: read back and checked again, GIS export, interactive maps, route sheets, charts.

Each name is imported from its module on first use, so reading a plan back
(``planner.report.load``) loads neither folium nor matplotlib.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from planner.report.charts import district_figure, progress_figure, workload_figure, write_charts
    from planner.report.city import find_plan_folders, report_districts
    from planner.report.export import export_plan, plan_layers
    from planner.report.load import LoadedPlan, load_plan
    from planner.report.maps import merchants_map, plan_map, write_maps
    from planner.report.progress import write_progress_charts
    from planner.report.sheets import route_sheets, write_sheets

_MODULES = {
    "district_figure": "charts",
    "progress_figure": "charts",
    "workload_figure": "charts",
    "write_charts": "charts",
    "find_plan_folders": "city",
    "report_districts": "city",
    "export_plan": "export",
    "plan_layers": "export",
    "LoadedPlan": "load",
    "load_plan": "load",
    "merchants_map": "maps",
    "plan_map": "maps",
    "write_maps": "maps",
    "write_progress_charts": "progress",
    "route_sheets": "sheets",
    "write_sheets": "sheets",
}


def __getattr__(name: str) -> Any:
    """Import a report name from its module on first use (PEP 562)."""
    if name not in _MODULES:
        raise AttributeError(f"module 'planner.report' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"planner.report.{_MODULES[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The package's names, those not yet imported included."""
    return sorted(set(globals()) | set(_MODULES))


__all__ = [
    "LoadedPlan",
    "district_figure",
    "export_plan",
    "find_plan_folders",
    "load_plan",
    "merchants_map",
    "plan_layers",
    "plan_map",
    "progress_figure",
    "report_districts",
    "route_sheets",
    "workload_figure",
    "write_charts",
    "write_maps",
    "write_progress_charts",
    "write_sheets",
]
