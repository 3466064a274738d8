"""Promises sent to shops: recorded in the campaign store, and kept by the re-plan where they can be."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from planner.campaign.store import VISIT_FIELDS, CampaignStore
from planner.errors import InputError
from planner.geo.calendar import time_windows
from planner.io.spreadsheet import write_spreadsheet_csv
from planner.planning.promises import NOTICE_COLUMNS, parse_notices
from planner.settings import Settings

# English month abbreviations of OSM opening_hours date rules ("2022 Feb 07 off").
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
BROKEN_COLUMNS = ("merchant_id", "date", "promise_from", "promise_to", "why")
BROKEN_FILE = "broken-promises.csv"  # in the re-plan's --out folder


def record_notices(store: CampaignStore, notices: pd.DataFrame) -> int:
    """Record promises sent, after checking each is a visit of the campaign's current plan.

    Parameters
    ----------
    store
        The campaign store.
    notices
        ``merchant_id``, ``date``, ``staff_id``, ``promise_from``, ``promise_to`` (``planner notices``).

    Returns
    -------
    int
        The plan version the promises were recorded against.

    Raises
    ------
    InputError
        If the store has no plan, or a notice's shop, date and worker are not a visit of its
        current plan (the plan folder is older than the store's plan).
    """
    version = store.current_plan_version()
    if version is None:
        raise InputError(f"{store.path}: no plan yet; 'planner replan --day 0' makes the first")
    visits = store.visits(plan_version=version, columns=("merchant_id", "date", "staff_id"))
    keys = ["merchant_id", "date", "staff_id"]
    found = notices.merge(visits.drop_duplicates(), on=keys, how="left", indicator=True)
    stray = found[found["_merge"] == "left_only"]
    if len(stray):
        first = stray.iloc[0]
        raise InputError(
            f"{len(stray)} notices are not visits of plan {version} in {store.path} (first: shop "
            f"{first['merchant_id']} on {first['date']} by {first['staff_id']}); export the current plan "
            "with 'planner campaign export-plan' and write the notices from it"
        )
    store.add_notices(version, notices)
    return version


def current_promises(store: CampaignStore, merchants: pd.DataFrame, first_date: str) -> pd.DataFrame:
    """The promises a plan from ``first_date`` on should keep, as ``notices.csv`` lists them.

    Parameters
    ----------
    store
        The campaign store.
    merchants
        The shops of the plan (``merchant_id`` and ``name``).
    first_date
        ISO date of the plan's first day; promises of earlier days are past.

    Returns
    -------
    pandas.DataFrame
        ``NOTICE_COLUMNS``, by date and shop.
    """
    sent = store.notices()
    sent = sent[(sent["date"] >= first_date) & sent["merchant_id"].isin(merchants["merchant_id"])]
    names = merchants.drop_duplicates("merchant_id").set_index("merchant_id")["name"]
    return sent.assign(name=sent["merchant_id"].map(names)).loc[:, list(NOTICE_COLUMNS)]


def write_broken(broken: pd.DataFrame, out_dir: str | Path) -> Path:
    """Write the promises a re-plan breaks to ``BROKEN_FILE`` in ``out_dir``, for the city to warn the shops.

    Parameters
    ----------
    broken
        ``BROKEN_COLUMNS`` (``ReplanResult.broken_promises``).
    out_dir
        The re-plan's output folder.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    return write_spreadsheet_csv(broken.loc[:, list(BROKEN_COLUMNS)], Path(out_dir) / BROKEN_FILE, bom=True)


def open_promises(store: CampaignStore, shops: pd.DataFrame, settings: Settings, first: int) -> pd.DataFrame:
    """The promises still to keep: of ``shops`` (those left to do), for campaign day ``first`` or later.

    Parameters
    ----------
    store
        The campaign store.
    shops
        The shops the re-plan plans, with ``merchant_id``.
    settings
        The campaign's settings: its week counts from the campaign's first day.
    first
        The first campaign day planned.

    Returns
    -------
    pandas.DataFrame
        ``parse_notices`` columns and ``day``.
    """
    sent = store.notices()
    sent = sent[sent["merchant_id"].isin(shops["merchant_id"])]
    promises = parse_notices(sent, settings.week, f"{store.path} notices")
    promises["day"] = promises["from_s"] // 86_400
    return promises[promises["day"] >= first].reset_index(drop=True)


def promised_routes(
    store: CampaignStore,
    version: int | None,
    needing: pd.DataFrame,
    promises: pd.DataFrame,
    seats: dict[str, dict[str, int]] | None = None,
) -> pd.DataFrame:
    """The worker-days of plan ``version`` that keep an open promise, to carry into the re-plan as they are.

    A worker-day is kept when one of its visits starts inside an open promise of its shop, on
    the promised day: the plan the promise was sent from, or a re-plan that kept it. Its seat
    is its rank among the district's worker-days of that day, as ``assemble_routes`` numbers them;
    with a roster (``seats``) it is its person's seat, so the promise stays with the same person.

    Parameters
    ----------
    store
        The campaign store.
    version
        The current plan version (None: no plan, nothing kept).
    needing
        The campaign's shops needing a panel (``merchant_id``, ``district``).
    promises
        The open promises (``open_promises``).
    seats
        With a roster: district name -> ``staff_id`` -> seat in the re-plan
        (``planner.campaign.crews.CampaignRoster.seats``); a worker-day of someone without a
        seat there is not kept. None numbers the worker-days by rank.

    Returns
    -------
    pandas.DataFrame
        Every visit of those worker-days (``VISIT_FIELDS``, campaign days) with ``district`` and ``seat``.
    """
    visits = store.visits(plan_version=version) if version is not None and len(promises) else pd.DataFrame()
    if visits.empty:
        return pd.DataFrame(columns=[*VISIT_FIELDS, "district", "seat"])
    district = needing.drop_duplicates("merchant_id").set_index("merchant_id")["district"]
    visits = visits[visits["merchant_id"].isin(district.index) & (visits["day"] >= promises["day"].min())]
    visits = visits.assign(district=visits["merchant_id"].map(district))
    if seats is None:
        visits["seat"] = visits.groupby(["district", "day"])["staff_id"].rank(method="dense").astype(int) - 1
    else:
        seat = [
            seats.get(d, {}).get(s, -1) for d, s in zip(visits["district"], visits["staff_id"], strict=True)
        ]
        visits = visits.assign(seat=seat)
        visits = visits[visits["seat"] >= 0]
    met = visits.merge(promises.loc[:, ["merchant_id", "day", "from_s", "to_s"]], on=["merchant_id", "day"])
    kept = met[(met["from_s"] <= met["start_s"]) & (met["start_s"] <= met["to_s"])]
    keys = pd.MultiIndex.from_frame(kept[["district", "day", "seat"]].drop_duplicates())
    held = pd.MultiIndex.from_frame(visits[["district", "day", "seat"]]).isin(keys)
    return visits[held].loc[:, [*VISIT_FIELDS, "district", "seat"]].reset_index(drop=True)


def broken_promises(
    visits: pd.DataFrame,
    promises: pd.DataFrame,
    released: dict[str, str],
    shops: pd.DataFrame,
    settings: Settings,
) -> pd.DataFrame:
    """The open promises the new plan does not keep, each with why.

    Parameters
    ----------
    visits
        The new plan's visits (campaign days).
    promises
        The open promises (``open_promises``).
    released
        ``merchant_id`` -> why its visit left a kept worker-day (``planner.planning.fixed.hold_fixed``).
    shops
        The shops re-planned (``merchant_id``, ``opening_hours``, ``category``).
    settings
        The campaign's settings (its week counts from the campaign's first day).

    Returns
    -------
    pandas.DataFrame
        ``BROKEN_COLUMNS``, by date and shop.
    """
    kept = _kept(visits, promises)
    missed = promises[~promises["merchant_id"].isin(kept)]
    by_shop = dict(tuple(missed.groupby("merchant_id")))
    why = {}
    for shop in (
        shops[shops["merchant_id"].isin(by_shop)].drop_duplicates("merchant_id").itertuples(index=False)
    ):
        if _promised_hours(shop, by_shop[shop.merchant_id], settings) is None:
            why[shop.merchant_id] = "the shop is not open long enough within its promise"
        else:
            why[shop.merchant_id] = released.get(shop.merchant_id, "no room for the visit within its promise")
    broken = missed.assign(
        why=missed["merchant_id"].map(why).fillna("no room for the visit within its promise")
    )
    broken = broken.sort_values(["date", "merchant_id"], kind="stable")
    return broken.loc[:, list(BROKEN_COLUMNS)].reset_index(drop=True)


def _promised_hours(shop, promises: pd.DataFrame, settings: Settings) -> str | None:
    """Opening hours open only inside the shop's promise (service included), or None when that is never."""
    week = settings.week
    service_s = settings.service_s(shop.category)
    own = time_windows(shop.opening_hours, week)
    rules = []
    for promise in promises.itertuples(index=False):
        day_s = week.day_offset_s(int(promise.day))
        spans = [
            (max(a, promise.from_s), min(b, promise.to_s + service_s))
            for a, b in own
            if max(a, promise.from_s) + service_s <= min(b, promise.to_s + service_s)
        ]
        if not spans:
            return None
        date = week.date_of(int(promise.day))
        times = ",".join(f"{_hhmm(a - day_s, up=True)}-{_hhmm(b - day_s)}" for a, b in spans)
        rules.append(f"{date.year} {MONTHS[date.month - 1]} {date.day:02d} {times}")
    return "; ".join(["off", *rules])


def _kept(visits: pd.DataFrame, promises: pd.DataFrame) -> set[str]:
    """Shops whose every promise a visit keeps: on the day, starting inside the window."""
    if visits.empty or promises.empty:
        return set()
    met = promises.merge(
        visits.loc[:, ["merchant_id", "day", "start_s"]], on=["merchant_id", "day"], how="left"
    )
    inside = (met["from_s"] <= met["start_s"]) & (met["start_s"] <= met["to_s"])
    return set(met["merchant_id"]) - set(met.loc[~inside, "merchant_id"])


def _hhmm(seconds: int, up: bool = False) -> str:
    """``HH:MM`` of seconds after midnight, rounded up (``up``) or down to the minute."""
    minutes = -(-int(seconds) // 60) if up else int(seconds) // 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
