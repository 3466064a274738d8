"""Reports of a plan: GIS export, interactive maps, route sheets and charts."""

from planner.report.charts import district_figure, progress_figure, workload_figure, write_charts
from planner.report.export import export_plan, plan_layers
from planner.report.load import LoadedPlan, load_plan
from planner.report.maps import merchants_map, plan_map, write_maps
from planner.report.sheets import route_sheets, write_sheets

__all__ = [
    "LoadedPlan",
    "district_figure",
    "export_plan",
    "load_plan",
    "merchants_map",
    "plan_layers",
    "plan_map",
    "progress_figure",
    "route_sheets",
    "workload_figure",
    "write_charts",
    "write_maps",
    "write_sheets",
]
