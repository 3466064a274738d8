"""planner: plan the replacement of Seoul Pay QR panels across Seoul's shops.

The names below are the library an analyst uses; the modules behind them may move. The report
functions (maps, charts, route sheets, GIS export) are imported on first use, so that
``import planner`` loads neither folium nor matplotlib.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from planner.campaign.export import write_current_plan as write_current_plan
from planner.campaign.intake import AddResult as AddResult
from planner.campaign.intake import add_merchants as add_merchants
from planner.campaign.intake import add_merchants_file as add_merchants_file
from planner.campaign.ledger import ConservationError as ConservationError
from planner.campaign.outcomes import ImportResult as ImportResult
from planner.campaign.outcomes import OutcomeError as OutcomeError
from planner.campaign.outcomes import import_outcomes as import_outcomes
from planner.campaign.outcomes import read_outcomes as read_outcomes
from planner.campaign.outcomes import record_outcomes as record_outcomes
from planner.campaign.replan import ReplanResult as ReplanResult
from planner.campaign.replan import StoreChangedError as StoreChangedError
from planner.campaign.replan import replan as replan
from planner.campaign.run import StartResult as StartResult
from planner.campaign.run import start_campaign as start_campaign
from planner.campaign.setup import Campaign as Campaign
from planner.campaign.setup import load_campaign as load_campaign
from planner.campaign.simulate import SimulationResult as SimulationResult
from planner.campaign.simulate import recommend_staff as recommend_staff
from planner.campaign.simulate import simulate as simulate
from planner.campaign.status import campaign_status as campaign_status
from planner.campaign.store import CampaignStore as CampaignStore
from planner.campaign.store_errors import StoreError as StoreError
from planner.errors import InputError as InputError
from planner.errors import PlannerError as PlannerError
from planner.errors import PlanVerificationError as PlanVerificationError
from planner.geo.districts import District as District
from planner.geo.districts import all_districts as all_districts
from planner.geo.districts import find_district as find_district
from planner.io.boundaries import Boundaries as Boundaries
from planner.io.boundaries import read_boundaries as read_boundaries
from planner.io.read import ReadResult as ReadResult
from planner.io.read import read_merchants as read_merchants
from planner.io.spreadsheet import read_spreadsheet_csv as read_spreadsheet_csv
from planner.io.spreadsheet import write_spreadsheet_csv as write_spreadsheet_csv
from planner.planning.city import CityRun as CityRun
from planner.planning.city import plan_city as plan_city
from planner.planning.city import split_by_district as split_by_district
from planner.planning.executor import Executor as Executor
from planner.planning.executor import make_executor as make_executor
from planner.planning.output import daily_table as daily_table
from planner.planning.output import write_plan as write_plan
from planner.planning.pipeline import CUTOFF as CUTOFF
from planner.planning.pipeline import PlanRun as PlanRun
from planner.planning.pipeline import TriageRun as TriageRun
from planner.planning.pipeline import plan_file as plan_file
from planner.planning.pipeline import triage_file as triage_file
from planner.planning.plan import Plan as Plan
from planner.planning.plan import Progress as Progress
from planner.planning.plan import plan_district as plan_district
from planner.planning.triage import SCENARIOS as SCENARIOS
from planner.planning.triage import needing as needing
from planner.planning.triage import triage as triage
from planner.planning.triage import triage_counts as triage_counts
from planner.planning.verify import plan_violations as plan_violations
from planner.planning.verify import verify_plan as verify_plan
from planner.report.audit import Audit as Audit
from planner.report.audit import audit_plan as audit_plan
from planner.report.audit import plan_folders as plan_folders
from planner.report.load import LoadedPlan as LoadedPlan
from planner.report.load import load_plan as load_plan
from planner.settings import Settings as Settings
from planner.settings import SolverSettings as SolverSettings
from planner.settings import TravelSettings as TravelSettings
from planner.settings import WeekSettings as WeekSettings

if TYPE_CHECKING:
    from planner.report.charts import district_figure, progress_figure, workload_figure, write_charts
    from planner.report.export import export_plan, plan_layers
    from planner.report.maps import merchants_map, plan_map, write_maps
    from planner.report.sheets import route_sheets, write_sheets

# Report functions by module, imported by __getattr__ when first used.
_REPORTS = {
    "district_figure": "planner.report.charts",
    "progress_figure": "planner.report.charts",
    "workload_figure": "planner.report.charts",
    "write_charts": "planner.report.charts",
    "export_plan": "planner.report.export",
    "plan_layers": "planner.report.export",
    "merchants_map": "planner.report.maps",
    "plan_map": "planner.report.maps",
    "write_maps": "planner.report.maps",
    "route_sheets": "planner.report.sheets",
    "write_sheets": "planner.report.sheets",
}


def __getattr__(name: str) -> Any:
    """Import a report function on first use (PEP 562), so ``import planner`` stays light."""
    if name not in _REPORTS:
        raise AttributeError(f"module 'planner' has no attribute {name!r}")
    value = getattr(importlib.import_module(_REPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names, the report functions not yet imported included."""
    return sorted(set(globals()) | set(_REPORTS))


__all__ = [
    # Reading merchants
    "Boundaries",
    "ReadResult",
    "read_boundaries",
    "read_merchants",
    "read_spreadsheet_csv",
    "write_spreadsheet_csv",
    # Districts
    "District",
    "all_districts",
    "find_district",
    # Triage
    "CUTOFF",
    "SCENARIOS",
    "needing",
    "triage",
    "triage_counts",
    # Settings
    "Settings",
    "SolverSettings",
    "TravelSettings",
    "WeekSettings",
    # Planning a district and the city
    "CityRun",
    "Executor",
    "Plan",
    "PlanRun",
    "Progress",
    "TriageRun",
    "daily_table",
    "make_executor",
    "plan_city",
    "plan_district",
    "plan_file",
    "split_by_district",
    "triage_file",
    "write_plan",
    # Verifying and reading back a written plan
    "Audit",
    "LoadedPlan",
    "audit_plan",
    "load_plan",
    "plan_folders",
    "plan_violations",
    "verify_plan",
    # The campaign
    "AddResult",
    "Campaign",
    "CampaignStore",
    "ImportResult",
    "ReplanResult",
    "SimulationResult",
    "StartResult",
    "add_merchants",
    "add_merchants_file",
    "campaign_status",
    "import_outcomes",
    "load_campaign",
    "read_outcomes",
    "recommend_staff",
    "record_outcomes",
    "replan",
    "simulate",
    "start_campaign",
    "write_current_plan",
    # Reports (imported on first use)
    "district_figure",
    "export_plan",
    "merchants_map",
    "plan_layers",
    "plan_map",
    "progress_figure",
    "route_sheets",
    "workload_figure",
    "write_charts",
    "write_maps",
    "write_sheets",
    # Errors
    "ConservationError",
    "InputError",
    "OutcomeError",
    "PlanVerificationError",
    "PlannerError",
    "StoreChangedError",
    "StoreError",
]
