"""Tests of spreadsheet-safe CSV files: no cell starts a formula, and planner reads its files back exactly."""

from __future__ import annotations

import csv
import re
import tempfile
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from report_fixtures import report_plan, report_run  # noqa: F401

from planner.io.read import read_merchants, visible_controls, write_rejects
from planner.io.spreadsheet import (
    quote_cell,
    read_spreadsheet_csv,
    unquote_cell,
    write_spreadsheet_csv,
)
from planner.planning.output import write_plan
from planner.planning.pipeline import plan_file, triage_file
from planner.report.audit import audit_plan
from planner.report.load import load_plan
from planner.report.sheets import write_sheets
from planner.schema import MERCHANT_COLUMNS
from planner.settings import Settings

SMALL = Path(__file__).parent / "data" / "jongno_small.csv"
PAYLOADS = ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(1)", "\tx", "\rx", "＝1+1", " =1", "'=1"]
# What a spreadsheet may run as a formula, checked here independently of planner's own rule.
FORMULA_START = set("=+-@＝＋－＠")

# Text of every kind: control characters and NUL, Korean, quotes and separators, the payloads,
# words pandas reads as missing, and very long cells.
any_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="=+-@'\t\r\n\x00\",; 한글＝＋NA", max_size=12),
    st.sampled_from([*PAYLOADS, "NA", "nan", "null", "", "01", "-5", "1e3", "한글 가게"]),
    st.builds(lambda piece, times: piece * times, st.text(min_size=1, max_size=4), st.integers(500, 5000)),
)
PROPERTY = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PLAN_PROPERTY = settings(PROPERTY, max_examples=15)  # each example writes and reads a whole plan


def starts_formula(cell: str) -> bool:
    """Whether a spreadsheet could read ``cell`` as a formula (leading blanks looked through).

    A number as planner writes one (``-1``, ``-0.5``) is a value, not a formula.
    """
    if re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", cell):
        return False
    return cell[:1] in ("\t", "\r") or cell.lstrip()[:1] in FORMULA_START


def csv_rows(path: Path) -> list[list[str]]:
    """The rows of a CSV file below its header, as text cells."""
    with path.open(encoding="utf-8-sig", newline="") as lines:
        return list(csv.reader(lines))[1:]


def csv_cells(path: Path) -> list[str]:
    """Every cell of a CSV file below its header."""
    return [cell for row in csv_rows(path) for cell in row]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_formula_is_quoted_and_unquoted_back(payload):
    """Text that starts a formula (or a quote) gets a leading ' that unquoting removes again."""
    quoted = quote_cell(payload)
    assert quoted == "'" + payload and not starts_formula(quoted)
    assert unquote_cell(quoted) == payload


@PROPERTY
@given(any_text)
def test_quoting_is_reversible_and_never_leaves_a_formula(text):
    """For any text, the quoted cell starts no formula and unquoting gives the text back."""
    assert not starts_formula(quote_cell(text))
    assert unquote_cell(quote_cell(text)) == text


def test_a_negative_number_stays_a_number(tmp_path):
    """Numeric columns are written bare (-1, -0.5) and read back as numbers; only text is quoted."""
    for value in ("종로 가게 1", "T0001", "2022-02-07", "a-b", -1, -0.5, 37.5):
        assert quote_cell(value) == value and unquote_cell(value) == value
    frame = pd.DataFrame({"lon": [-0.5], "zone": [-1], "name": ["-1"]})
    path = write_spreadsheet_csv(frame, tmp_path / "t.csv")
    assert csv_cells(path) == ["-0.5", "-1", "'-1"]
    back = read_spreadsheet_csv(path, ("lon", "zone"))
    assert (
        back["lon"].tolist() == [-0.5] and back["zone"].tolist() == [-1] and back["name"].tolist() == ["-1"]
    )


@PROPERTY
@given(st.lists(st.tuples(any_text, any_text), min_size=1, max_size=5))
def test_a_spreadsheet_csv_reads_back_exactly(rows):
    """Any text written by write_spreadsheet_csv reads back cell for cell, next to a number column."""
    frame = pd.DataFrame(rows, columns=["name", "address"]).assign(zone=-1)
    with tempfile.TemporaryDirectory() as folder:
        path = write_spreadsheet_csv(frame, Path(folder) / "t.csv", bom=True)
        assert not any(starts_formula(cell) for cell in csv_cells(path))
        back = read_spreadsheet_csv(path, ("zone",))
    assert back.to_dict("list") == frame.to_dict("list")


@PLAN_PROPERTY
@given(st.data())
def test_plan_files_read_back_exactly_whatever_the_text(report_plan, data):  # noqa: F811
    """Any text in the shops' columns survives routes.csv and unassigned.csv (load_plan), formula-free."""
    routes = report_plan.routes.copy()
    for column in ("merchant_id", "name", "address", "category", "opening_hours", "reason"):
        routes[column] = data.draw(st.lists(any_text, min_size=len(routes), max_size=len(routes)))
    unassigned = pd.DataFrame({"merchant_id": data.draw(st.lists(any_text, min_size=1, max_size=4))})
    unassigned["reason"] = data.draw(st.lists(any_text, min_size=len(unassigned), max_size=len(unassigned)))
    plan = replace(report_plan, routes=routes, unassigned=unassigned)
    with tempfile.TemporaryDirectory() as folder:
        written = write_plan(plan, folder)
        cells = csv_cells(written["routes"]) + csv_cells(written["unassigned"])
        loaded = load_plan(folder).plan
    assert not any(starts_formula(cell) for cell in cells)
    key = ["date", "staff_id", "stop"]
    expected = routes.sort_values(key, ignore_index=True)
    pd.testing.assert_frame_equal(
        loaded.routes, expected.loc[:, list(loaded.routes.columns)], check_dtype=False
    )
    assert loaded.unassigned.to_dict("list") == unassigned.to_dict("list")


@PLAN_PROPERTY
@given(st.data())
def test_rejects_and_route_sheets_never_start_a_formula(report_plan, data):  # noqa: F811
    """Reject files and sheet CSVs hold the input's text (control characters shown as ``\\xNN`` in
    rejects), quoted where a spreadsheet would run it."""
    values = data.draw(st.lists(any_text, min_size=1, max_size=5))
    rejects = pd.DataFrame(
        {"row": 2, "merchant_id": values, "column": "name", "value": values, "reason": "x"}
    )
    routes = report_plan.routes.copy()
    routes["name"] = data.draw(st.lists(any_text, min_size=len(routes), max_size=len(routes)))
    with tempfile.TemporaryDirectory() as folder:
        rejected = csv_rows(write_rejects(rejects, Path(folder) / "in.rejects.csv"))
        sheets = write_sheets(replace(report_plan, routes=routes), Path(folder) / "sheets")
        sheet_cells = [cell for path in sheets if path.suffix == ".csv" for cell in csv_cells(path)]
    assert not any(starts_formula(cell) for cell in sheet_cells + [cell for row in rejected for cell in row])
    assert [unquote_cell(row[3]) for row in rejected] == [visible_controls(value) for value in values]


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    """A small Jongno file whose names, addresses and ids are formula payloads, triaged and planned."""
    folder = tmp_path_factory.mktemp("hostile")
    shops = pd.read_csv(SMALL, dtype=str, keep_default_na=False).head(24)
    for k, payload in enumerate(PAYLOADS):
        shops.loc[k, "name"] = payload
        shops.loc[k + 9, "address"] = payload
    shops.loc[18:21, "merchant_id"] = ["-2+3", "@A1", "NA", "=closed"]
    shops.loc[22, "name"], shops.loc[23, "name"] = "a\rb", "NA"
    shops.loc[21, "opening_hours"] = "Mo-Su off"  # never open: unassigned, with its payload id
    shops.loc[17, "lat"] = "=1+1"  # rejected, its value written back
    shops["qr_status"] = "missing"
    path = folder / "merchants.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(
            [
                list(MERCHANT_COLUMNS),
                *shops.reindex(columns=list(MERCHANT_COLUMNS), fill_value="").values.tolist(),
            ]
        )
    settings = Settings()
    settings = replace(settings, staff=1, solver=replace(settings.solver, time_limit_s=1.0, improve_s=0.0))
    run = plan_file(path, folder / "plan", settings)
    triage_file(path, folder / "plan")
    write_sheets(run.plan, folder / "plan" / "sheets")
    return run, path, settings


def test_no_cell_of_a_spreadsheet_csv_starts_a_formula(hostile_run):
    """routes, unassigned, rejects, triage and sheet CSVs of a hostile file hold the payloads, quoted."""
    run, _, _ = hostile_run
    folder = run.written["routes"].parent
    files = sorted(folder.glob("*.csv")) + sorted((folder / "sheets").glob("*.csv"))
    assert {"routes.csv", "unassigned.csv", "triage.csv", "merchants.rejects.csv"} <= {f.name for f in files}
    cells = {path.name: csv_cells(path) for path in files}
    assert not [(name, cell) for name, found in cells.items() for cell in found if starts_formula(cell)]
    assert '\'=HYPERLINK("http://x","y")' in cells["routes.csv"]
    assert "'=closed" in cells["unassigned.csv"] and "'=1+1" in cells["merchants.rejects.csv"]


def test_planner_reads_the_hostile_plan_back_unchanged(hostile_run):
    """load_plan gives back the planned names, addresses and ids, and planner verify finds no fault."""
    run, path, settings = hostile_run
    folder = run.written["routes"].parent
    loaded = load_plan(folder, path, settings).plan
    key = ["date", "staff_id", "stop"]
    columns = ["merchant_id", "name", "address", "lat", "lon", "zone"]
    planned = run.plan.routes.sort_values(key, ignore_index=True)
    pd.testing.assert_frame_equal(loaded.routes[columns], planned[columns], check_dtype=False)
    assert {"a\rb", "NA", "-2+3"} <= set(planned["name"]) and "NA" in set(planned["merchant_id"])
    assert loaded.unassigned["merchant_id"].tolist() == run.plan.unassigned["merchant_id"].tolist()
    assert audit_plan(folder, read_merchants(path).merchants, settings).problems == []
