"""Decide which shops need a new Seoul Pay panel, why, and how urgently."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from planner.errors import InputError

# Panels issued after this date are at risk (the targeted scenario replaces them).
CUTOFF = dt.date(2021, 12, 31)

SCENARIOS: tuple[str, ...] = ("targeted", "full")

# Every reason a shop can need a panel, most urgent first: a shop's ``reason`` is the first of
# these that applies. Seoul Pay only reads Zero Pay codes issued up to the cutoff, so a late,
# replaced (hence late) or missing code, or one customers cannot pay with, blocks payments today.
REASONS: tuple[str, ...] = (
    "issued_after_cutoff",
    "missing",
    "replaced",
    "payment_errors",
    "damaged",
    "full_rollout",
)
REASON_PRIORITY: dict[str, int] = {
    "issued_after_cutoff": 1,  # cannot take Seoul Pay payments now
    "missing": 1,
    "replaced": 1,
    "payment_errors": 1,
    "damaged": 2,  # panel at risk
    "full_rollout": 3,  # routine replacement in the full scenario
}
TRIAGE_COLUMNS: tuple[str, ...] = ("needs_panel", "reason", "reasons", "priority")
TOTAL = "total"


def _lookup_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reason, joined reasons and priority for each bit mask of applicable reasons.

    Bit ``i`` of a mask is set when ``REASONS[i]`` applies; tabulating all ``2**6`` masks
    once turns the per-row string work into one array lookup.
    """
    size = 1 << len(REASONS)
    reason = np.empty(size, dtype=object)
    reasons = np.empty(size, dtype=object)
    priority = np.zeros(size, dtype=np.int64)
    for mask in range(size):
        present = [name for bit, name in enumerate(REASONS) if mask >> bit & 1]
        reason[mask] = present[0] if present else ""
        reasons[mask] = ";".join(present)
        priority[mask] = REASON_PRIORITY[present[0]] if present else 0
    return reason, reasons, priority


_REASON, _REASONS, _PRIORITY = _lookup_tables()


def _conditions(merchants: pd.DataFrame, cutoff: dt.date) -> dict[str, np.ndarray]:
    """Which targeted reasons apply to each merchant, ignoring whether it is active."""
    # qr_issued holds dates; "after the cutoff" means from the next calendar day on.
    first_late_day = pd.Timestamp(cutoff + dt.timedelta(days=1))
    status = merchants["qr_status"].astype(str).str.strip().str.lower().to_numpy()
    errors = pd.to_numeric(merchants["payment_errors"], errors="coerce").fillna(0).to_numpy()
    issued = pd.to_datetime(merchants["qr_issued"])
    return {
        "issued_after_cutoff": (issued >= first_late_day).fillna(False).to_numpy(dtype=bool),
        "missing": status == "missing",
        "replaced": status == "replaced",
        "payment_errors": errors > 0,
        "damaged": status == "damaged",
    }


def triage(
    merchants: pd.DataFrame,
    scenario: str = "targeted",
    cutoff: dt.date = CUTOFF,
) -> pd.DataFrame:
    """Mark the merchants that need a new Seoul Pay QR panel.

    Parameters
    ----------
    merchants
        The canonical merchants frame (``planner.schema.MERCHANT_COLUMNS``); only
        ``qr_issued``, ``qr_status``, ``payment_errors`` and ``active`` are read.
    scenario
        ``"targeted"``: only shops whose QR fails or is at risk (issued after ``cutoff``,
        missing, replaced, with payment errors, damaged). ``"full"``: every active shop; those
        without a targeted reason get ``"full_rollout"``.
    cutoff
        Last issue date of a Zero Pay code that Seoul Pay still recognises.

    Returns
    -------
    pandas.DataFrame
        A copy of ``merchants`` with the columns ``needs_panel`` (bool), ``reason`` (the most
        urgent reason, ``""`` when none), ``reasons`` (all reasons, ``";"``-joined) and
        ``priority`` (1 = cannot take Seoul Pay now, 2 = panel at risk, 3 = routine; 0 when
        not needed). Inactive merchants never need a panel.

    Raises
    ------
    InputError
        If ``scenario`` is unknown or a needed column is missing.
    """
    if scenario not in SCENARIOS:
        raise InputError(f"unknown triage scenario {scenario!r}; valid scenarios: {', '.join(SCENARIOS)}")
    needed = ("qr_issued", "qr_status", "payment_errors", "active")
    missing = [column for column in needed if column not in merchants.columns]
    if missing:
        raise InputError(f"triage needs the merchant columns {', '.join(missing)}")

    active = merchants["active"].fillna(False).to_numpy(dtype=bool)
    conditions = _conditions(merchants, cutoff)
    mask = np.zeros(len(merchants), dtype=np.int64)
    for bit, name in enumerate(REASONS[:-1]):
        mask |= (conditions[name] & active).astype(np.int64) << bit
    if scenario == "full":
        rollout = active & (mask == 0)
        mask |= rollout.astype(np.int64) << (len(REASONS) - 1)

    triaged = merchants.copy()
    triaged["needs_panel"] = mask != 0
    triaged["reason"] = pd.Series(_REASON[mask], index=merchants.index).astype(str)
    triaged["reasons"] = pd.Series(_REASONS[mask], index=merchants.index).astype(str)
    triaged["priority"] = _PRIORITY[mask]
    return triaged


def needing(triaged: pd.DataFrame) -> pd.DataFrame:
    """The merchants that need a panel, most urgent first.

    Parameters
    ----------
    triaged
        Output of :func:`triage`.

    Returns
    -------
    pandas.DataFrame
        The rows with ``needs_panel``, sorted by ``priority`` then ``merchant_id``; the
        original index is kept.
    """
    rows = triaged[triaged["needs_panel"].to_numpy(dtype=bool)]
    return rows.sort_values(["priority", "merchant_id"], kind="stable")


def triage_counts(triaged: pd.DataFrame) -> pd.DataFrame:
    """Count the shops needing a panel by district and most urgent reason.

    Parameters
    ----------
    triaged
        Output of :func:`triage`.

    Returns
    -------
    pandas.DataFrame
        One row per district (alphabetical) plus a ``"total"`` row; one integer column per
        reason that occurs (in ``REASONS`` order) plus a ``"total"`` column.
    """
    rows = triaged[triaged["needs_panel"].to_numpy(dtype=bool)]
    present = [name for name in REASONS if (rows["reason"] == name).any()]
    counts = (
        rows.groupby(["district", "reason"]).size().unstack("reason", fill_value=0)
        if len(rows)
        else pd.DataFrame()
    )
    counts = counts.reindex(columns=present, fill_value=0).sort_index().astype(np.int64)
    counts[TOTAL] = counts.sum(axis=1)
    counts.loc[TOTAL] = counts.sum(axis=0)
    counts.index.name = "district"
    counts.columns.name = "reason"
    return counts.astype(np.int64)
