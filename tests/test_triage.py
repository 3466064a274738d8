"""Tests of planner.planning.triage: who needs a new Seoul Pay panel, why and how urgently."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.errors import InputError
from planner.planning.triage import REASON_PRIORITY, REASONS, SCENARIOS, needing, triage, triage_counts
from planner.schema import QR_STATUSES


def shops(*rows: dict) -> pd.DataFrame:
    """A merchants frame from partial rows; unspecified fields describe a healthy active shop."""
    healthy = {
        "district": "Jongno-gu",
        "qr_issued": pd.Timestamp("2021-06-01"),
        "qr_status": "ok",
        "payment_errors": 0,
        "active": True,
    }
    records = [{"merchant_id": f"M{i:03d}", **healthy, **row} for i, row in enumerate(rows)]
    frame = pd.DataFrame.from_records(records)
    frame["qr_issued"] = pd.to_datetime(frame["qr_issued"])
    return frame


def one(row: dict, scenario: str = "targeted") -> pd.Series:
    """Triage a single shop and return its row."""
    return triage(shops(row), scenario).iloc[0]


def test_healthy_shop_needs_nothing_in_targeted():
    """A healthy active shop needs no panel in the targeted scenario: reason "" and priority 0."""
    result = one({})
    assert not result["needs_panel"]
    assert (result["reason"], result["reasons"], result["priority"]) == ("", "", 0)


@pytest.mark.parametrize(
    ("row", "reason", "priority"),
    [
        ({"qr_issued": pd.Timestamp("2022-01-01")}, "issued_after_cutoff", 1),
        ({"qr_status": "missing"}, "missing", 1),
        ({"qr_status": "replaced"}, "replaced", 1),
        ({"payment_errors": 3}, "payment_errors", 1),
        ({"qr_status": "damaged"}, "damaged", 2),
    ],
)
def test_each_targeted_rule(row, reason, priority):
    """Each targeted rule alone marks the shop with its reason and priority."""
    result = one(row)
    assert result["needs_panel"]
    assert (result["reason"], result["reasons"], result["priority"]) == (reason, reason, priority)


def test_code_issued_on_cutoff_day_still_works():
    """A code issued on the cutoff day itself, at any hour, is still recognised."""
    late_in_day = pd.Timestamp("2021-12-31 23:00")
    assert not one({"qr_issued": late_in_day})["needs_panel"]


def test_unknown_issue_date_is_not_a_reason():
    """NaT in qr_issued alone does not make a shop need a panel."""
    assert not one({"qr_issued": pd.NaT})["needs_panel"]


def test_cutoff_is_a_parameter():
    """An earlier cutoff makes a code issued after it late."""
    frame = shops({"qr_issued": pd.Timestamp("2021-11-15")})
    assert triage(frame, cutoff=dt.date(2021, 10, 31)).iloc[0]["reason"] == "issued_after_cutoff"


def test_most_urgent_reason_wins_and_all_are_listed():
    """With several reasons, reason is the most urgent and reasons lists all in REASONS order."""
    result = one({"qr_status": "damaged", "payment_errors": 1, "qr_issued": pd.Timestamp("2022-01-20")})
    assert result["reason"] == "issued_after_cutoff"
    assert result["reasons"] == "issued_after_cutoff;payment_errors;damaged"
    assert result["priority"] == 1


def test_full_scenario_marks_every_active_shop():
    """In the full scenario every active shop needs a panel; targeted reasons keep their priority."""
    result = triage(shops({}, {"qr_status": "damaged"}, {"qr_status": "missing"}), "full")
    assert result["needs_panel"].all()
    assert result["reason"].tolist() == ["full_rollout", "damaged", "missing"]
    assert result["priority"].tolist() == [3, 2, 1]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_inactive_shops_never_need_a_panel(scenario):
    """An inactive shop needs no panel, whatever its QR state, in every scenario."""
    result = one({"active": False, "qr_status": "missing", "payment_errors": 5}, scenario)
    assert not result["needs_panel"]
    assert (result["reason"], result["priority"]) == ("", 0)


def test_triage_returns_a_copy_with_the_input_untouched():
    """triage adds columns to a copy and keeps the index; the caller's frame is unchanged."""
    frame = shops({}, {"qr_status": "missing"}).set_axis([10, 20])
    before = frame.copy()
    result = triage(frame)
    pd.testing.assert_frame_equal(frame, before)
    assert list(result.index) == [10, 20]
    assert list(result.columns) == [*frame.columns, "needs_panel", "reason", "reasons", "priority"]


def test_needing_sorts_by_priority_then_merchant_id():
    """needing keeps only shops needing a panel, priority 1 first, then by merchant_id."""
    frame = shops(
        {"qr_status": "damaged"},
        {},
        {"qr_status": "missing"},
        {"payment_errors": 2},
    )
    result = needing(triage(frame))
    assert result["merchant_id"].tolist() == ["M002", "M003", "M000"]
    assert result["priority"].tolist() == [1, 1, 2]


def test_counts_by_district_and_reason_with_totals():
    """triage_counts tabulates shops by district and reason, with a total row and column."""
    frame = shops(
        {"district": "Mapo-gu", "qr_status": "missing"},
        {"district": "Mapo-gu", "qr_status": "damaged"},
        {"district": "Jongno-gu", "qr_status": "missing"},
        {"district": "Jongno-gu"},
    )
    counts = triage_counts(triage(frame))
    assert counts.index.tolist() == ["Jongno-gu", "Mapo-gu", "total"]
    assert counts.columns.tolist() == ["missing", "damaged", "total"]
    assert counts.loc["Mapo-gu"].tolist() == [1, 1, 2]
    assert counts.loc["Jongno-gu"].tolist() == [1, 0, 1]
    assert counts.loc["total"].tolist() == [2, 1, 3]


def test_counts_of_nothing_needed():
    """triage_counts of a frame where no shop needs a panel is a single zero total."""
    counts = triage_counts(triage(shops({})))
    assert counts.loc["total", "total"] == 0
    assert counts.shape == (1, 1)


def test_unknown_scenario_lists_valid_ones():
    """An unknown scenario raises InputError naming the valid scenarios."""
    with pytest.raises(InputError, match="targeted, full"):
        triage(shops({}), "everything")


def test_reasons_constant_is_in_priority_order():
    """REASONS runs from most to least urgent, so the first applicable one is the most urgent."""
    priorities = [REASON_PRIORITY[name] for name in REASONS]
    assert priorities == sorted(priorities)
    assert REASONS[-1] == "full_rollout"


shop_rows = st.fixed_dictionaries(
    {
        "qr_issued": st.one_of(
            st.none(), st.dates(dt.date(2020, 1, 1), dt.date(2022, 3, 1)).map(pd.Timestamp)
        ),
        "qr_status": st.sampled_from(QR_STATUSES),
        "payment_errors": st.integers(0, 3),
        "active": st.booleans(),
    }
)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(shop_rows, min_size=1, max_size=20), scenario=st.sampled_from(SCENARIOS))
def test_property_inactive_never_marked_and_reason_matches_need(rows, scenario):
    """Triage never marks an inactive shop, and needs_panel == (reason != "") == (priority > 0)."""
    result = triage(shops(*rows), scenario)
    assert not (result["needs_panel"] & ~result["active"]).any()
    assert (result["needs_panel"] == (result["reason"] != "")).all()
    assert (result["needs_panel"] == (result["priority"] > 0)).all()
    if scenario == "full":
        assert (result["needs_panel"] == result["active"]).all()
