"""Field outcome files: parse and check them, then record them in the campaign store all or nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planner.campaign.ledger import AWAITING_REPLAN, OUTCOMES, check_conservation, shop_standing
from planner.campaign.setup import load_campaign
from planner.campaign.store import CampaignStore
from planner.errors import InputError

OUTCOME_COLUMNS = ("merchant_id", "staff_id", "date", "outcome", "time", "note")
REQUIRED = ("merchant_id", "staff_id", "date", "outcome")
KEY = ("merchant_id", "staff_id", "date", "time", "outcome")  # same key, same outcome: imported once
TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")
SHOWN = 20
MAX_CELL_CHARS = 2000  # longer cells (a note pasted many times, a binary file) are refused
QUOTED_CHARS = 40  # a refused cell is quoted up to this length in messages


class OutcomeError(InputError):
    """An outcome file cannot be imported; the message lists each problem with its row and column."""

    def __init__(self, source: str, problems: list[str]):
        self.problems = list(problems)
        shown = "\n  ".join(self.problems[:SHOWN])
        more = f"\n  ... and {len(self.problems) - SHOWN} more" if len(self.problems) > SHOWN else ""
        super().__init__(f"{source}: {len(self.problems)} problems, nothing was imported:\n  {shown}{more}")


@dataclass(frozen=True)
class ImportResult:
    """What one import recorded."""

    source: str
    rows: int  # outcome rows in the file
    added: int  # new outcomes recorded
    duplicates: int  # rows already recorded (or repeated in the file): ignored

    def summary(self) -> str:
        """One line for the coordinator.

        Returns
        -------
        str
            ``<file>: <rows> rows, <added> new outcomes, <duplicates> already recorded``.
        """
        return (
            f"{self.source}: {self.rows} rows, {self.added} new outcomes, {self.duplicates} already recorded"
        )


def _quoted(value: str) -> str:
    """``value`` quoted for a message, cut to ``QUOTED_CHARS`` so one bad cell cannot flood the screen."""
    if len(value) <= QUOTED_CHARS:
        return repr(value)
    return f"{value[:QUOTED_CHARS]!r}... ({len(value):,} characters)"


def _unreadable_cells(cells: dict[str, str], where: str) -> list[str]:
    """Cells no outcome can hold: a NUL byte (a binary or damaged file) or too many characters."""
    problems = []
    for column in OUTCOME_COLUMNS:
        value = cells.get(column) or ""
        if "\x00" in value:
            problems.append(f"{where}, column {column}: contains a NUL byte; is this a CSV text file?")
        elif len(value) > MAX_CELL_CHARS:
            problems.append(
                f"{where}, column {column}: {len(value):,} characters, at most {MAX_CELL_CHARS:,}"
            )
    return problems


def _clean_row(cells: dict[str, str], row: int, source: str) -> tuple[dict, list[str]]:
    """Normalise one row's cells; return the record and its problems."""
    where = f"{source} row {row}"
    unreadable = _unreadable_cells(cells, where)
    if unreadable:
        return {}, unreadable
    record = {c: (cells.get(c) or "").strip() for c in OUTCOME_COLUMNS}
    problems = [f"{where}, column {c}: empty" for c in REQUIRED if not record[c]]
    outcome = re.sub(r"[\s-]+", "_", record["outcome"].lower())
    if record["outcome"] and outcome not in OUTCOMES:
        problems.append(
            f"{where}, column outcome: {_quoted(record['outcome'])} is not one of {', '.join(OUTCOMES)}"
        )
    record["outcome"] = outcome
    if record["date"]:
        try:
            record["date"] = dt.date.fromisoformat(record["date"]).isoformat()
        except ValueError:
            problems.append(f"{where}, column date: {_quoted(record['date'])} is not a date (YYYY-MM-DD)")
    if record["time"]:
        match = TIME.match(record["time"])
        if match is None:
            problems.append(f"{where}, column time: {_quoted(record['time'])} is not a time (HH:MM)")
        else:
            hour, minute, second = match.groups()
            record["time"] = f"{int(hour):02d}:{minute}:{second or '00'}"
    record["source_file"], record["source_row"] = source, row
    return record, problems


def parse_outcomes(text: str, source: str = "outcomes") -> pd.DataFrame:
    """Parse the text of an outcome CSV file (pure: no file, no store).

    Parameters
    ----------
    text
        CSV with a header naming ``merchant_id, staff_id, date, outcome`` and optionally ``time``
        (HH:MM) and ``note``; ``outcome`` is one of ``installed, closed, refused, not_found, moved``.
    source
        Name used in messages and recorded with each outcome.

    Returns
    -------
    pandas.DataFrame
        ``OUTCOME_COLUMNS`` plus ``source_file`` and ``source_row`` (the line number, header = 1),
        dates as ISO strings, times as ``HH:MM:SS`` or ``""``. Rows repeating an earlier row's
        key (``KEY``) are dropped.

    Raises
    ------
    OutcomeError
        Listing every problem (file, row, column); then nothing may be imported.
    """
    # newline=None: a lone carriage return ends a line too (old spreadsheet exports) instead of failing.
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=None))
    records, problems, line = [], [], 0
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            shown = ", ".join(map(_quoted, header[:10]))
            raise OutcomeError(
                source, [f"{source} row 1: missing column(s) {', '.join(missing)} (found {shown or 'none'})"]
            )
        line = reader.line_num
        for cells in reader:
            row, line = line + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                problems.append(f"{source} row {row}: {len(cells)} cells for {len(header)} columns")
                continue
            record, row_problems = _clean_row(dict(zip(header, cells, strict=True)), row, source)
            records += [record] if not row_problems else []
            problems += row_problems
    except csv.Error as exc:
        # The reader cannot go on past a cell it refuses (one longer than csv.field_size_limit()).
        problems.append(f"{source} row {line + 1}: unreadable CSV ({exc}); nothing after it was read")
    if problems:
        raise OutcomeError(source, problems)
    frame = pd.DataFrame(records, columns=[*OUTCOME_COLUMNS, "source_file", "source_row"])
    return frame.drop_duplicates(list(KEY), ignore_index=True)


def read_outcomes(path: str | Path) -> pd.DataFrame:
    """Read and parse an outcome CSV file (see :func:`parse_outcomes`).

    Parameters
    ----------
    path
        A UTF-8 CSV file with the columns ``OUTCOME_COLUMNS`` (``time`` and ``note`` optional).

    Returns
    -------
    pandas.DataFrame
        The parsed outcomes, one row per file row, with ``source_file`` and ``source_row``.

    Raises
    ------
    OutcomeError
        If the file is missing or any row is unusable.
    """
    path = Path(path)
    if path.exists() and not path.is_file():
        # A folder fails to open; a pipe or a device would be read forever.
        what = "a folder" if path.is_dir() else "not a regular file"
        raise OutcomeError(str(path), [f"{path}: is {what}; give the outcome CSV file"])
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise OutcomeError(str(path), [f"{path}: file not found"]) from None
    except UnicodeDecodeError as exc:
        raise OutcomeError(str(path), [f"{path}: not UTF-8 text ({exc.reason})"]) from None
    except OSError as exc:
        raise OutcomeError(str(path), [f"{path}: cannot be read ({exc.strerror or exc})"]) from None
    return parse_outcomes(text, source=str(path))


def _label(row: pd.Series) -> str:
    return f"{row['source_file']} row {row['source_row']}"


def _contradictions(rows: pd.DataFrame, is_new: pd.Series) -> list[str]:
    """Outcomes of one shop that cannot all be true: two installations, or anything after one."""
    rows = rows.assign(new=is_new).sort_values(["date", "time"], kind="stable")
    installs = rows[rows["outcome"] == "installed"]
    if installs.empty:
        return []
    first = installs.iloc[0]
    problems = []
    for _, other in rows.drop(index=installs.index[0]).iterrows():
        if not (other["new"] or first["new"]):
            continue
        ordered = other["date"] < first["date"] or (
            other["date"] == first["date"]
            and other["time"]
            and first["time"]
            and other["time"] < first["time"]
        )
        if ordered:
            continue
        at, then = (other, first) if other["new"] else (first, other)
        what = "installed twice" if other["outcome"] == "installed" else f"{other['outcome']} after installed"
        when = f"{then['date']} {then['time']}".strip()
        problems.append(
            f"{_label(at)}, column outcome: shop {at['merchant_id']} {what} "
            f"({then['outcome']} on {when}, {_label(then)})"
        )
    return problems


def check_outcomes(
    new: pd.DataFrame,
    recorded: pd.DataFrame,
    merchants: pd.DataFrame,
    first_date: dt.date,
    last_date: dt.date,
) -> list[str]:
    """List why new outcomes cannot be recorded (pure): unknown shops, dates, contradictions.

    Parameters
    ----------
    new
        Parsed outcomes not yet recorded (see :func:`parse_outcomes`).
    recorded
        Outcomes already in the store.
    merchants
        The campaign's merchants with ``needs_panel``.
    first_date, last_date
        The campaign's days; outcomes outside them are refused.

    Returns
    -------
    list of str
        One line per problem, naming the file's row and column; empty when all can be recorded.
    """
    problems = []
    needs = merchants.set_index("merchant_id")["needs_panel"]
    known = new["merchant_id"].isin(needs.index).to_numpy()
    needed = new["merchant_id"].isin(needs.index[needs.to_numpy()]).to_numpy()
    inside = new["date"].between(first_date.isoformat(), last_date.isoformat()).to_numpy()
    # Rows are checked one by one only where something is wrong: a city's day has ~40,000 outcomes.
    for k in (~known | ~needed | ~inside).nonzero()[0]:
        row = new.iloc[k]
        where, shop = f"{_label(row)}, column", row["merchant_id"]
        if not known[k]:
            problems.append(
                f"{where} merchant_id: unknown shop {_quoted(shop)} (not a merchant of this campaign)"
            )
        elif not needed[k]:
            problems.append(
                f"{where} merchant_id: shop {_quoted(shop)} does not need a panel in this campaign"
            )
        if not inside[k]:
            problems.append(
                f"{where} date: {row['date']} is outside the campaign ({first_date} to {last_date})"
            )
    both = pd.concat([recorded.assign(new=False), new.assign(new=True)], ignore_index=True)
    both = both[both["merchant_id"].isin(set(new["merchant_id"]))]
    # Only a shop with an installation and another outcome can contradict itself.
    counts = both["merchant_id"].value_counts()
    suspects = set(counts.index[counts > 1]) & set(both.loc[both["outcome"] == "installed", "merchant_id"])
    for _, rows in both[both["merchant_id"].isin(suspects)].groupby("merchant_id", sort=True):
        problems += _contradictions(rows.drop(columns="new"), rows["new"])
    return problems


def record_outcomes(store: CampaignStore, outcomes: pd.DataFrame, source: str) -> ImportResult:
    """Record parsed outcomes in one transaction, or nothing at all.

    Outcomes already recorded (same ``KEY``) are skipped, so importing a file twice changes
    nothing. Planned visits met by an outcome become ``done`` (installed) or ``failed``; a shop
    given up (refused, moved, tries exhausted) is unassigned with that reason; a shop to try
    again waits as ``awaiting_replan`` for the next re-plan.

    Parameters
    ----------
    store
        The campaign store.
    outcomes
        Parsed outcomes (see :func:`parse_outcomes`).
    source
        Where they came from, for messages and the result.

    Returns
    -------
    ImportResult
        How many rows were read, recorded and skipped as already recorded.

    Raises
    ------
    OutcomeError
        If any outcome is for an unknown shop, outside the campaign, or contradicts another.
    ConservationError
        If recording would break conservation (then nothing is recorded either).
    """
    campaign = load_campaign(store)
    with store.transaction():
        recorded = store.outcomes()
        known = set(map(tuple, recorded[list(KEY)].astype(str).to_numpy()))
        fresh = ~pd.Series(
            [tuple(k) in known for k in outcomes[list(KEY)].astype(str).to_numpy()], dtype=bool
        )
        new = outcomes[fresh.to_numpy()].reset_index(drop=True)
        week = campaign.settings.week
        problems = check_outcomes(new, recorded, store.merchants(), week.start_date, campaign.deadline)
        if problems:
            raise OutcomeError(source, problems)
        added = store.add_outcomes(new)
        _settle(store, new, campaign.max_tries)
        check_conservation(store)
    return ImportResult(source, len(outcomes), added, len(outcomes) - added)


def import_outcomes(store: CampaignStore, path: str | Path) -> ImportResult:
    """Read an outcome file and record it (see :func:`read_outcomes` and :func:`record_outcomes`).

    Parameters
    ----------
    store
        The campaign store.
    path
        The outcome CSV file.

    Returns
    -------
    ImportResult
        How many rows were read, recorded and skipped as already recorded.

    Raises
    ------
    OutcomeError
        If the file cannot be read or any outcome cannot be recorded; nothing is recorded then.
    ConservationError
        If recording would break conservation.
    """
    return record_outcomes(store, read_outcomes(path), str(path))


def _settle(store: CampaignStore, new: pd.DataFrame, max_tries: int) -> None:
    """Bring visits and the unassigned list in line with newly recorded outcomes."""
    if new.empty:
        return
    affected = sorted(set(new["merchant_id"]))
    standing = shop_standing(affected, store.outcomes(), max_tries)
    planned = store.visits(status="planned", columns=("id", "merchant_id", "date"))
    planned = planned[planned["merchant_id"].isin(affected)]
    met = planned.merge(new[["merchant_id", "date", "outcome"]], on=["merchant_id", "date"])
    store.set_visit_status(met.loc[met["outcome"] == "installed", "id"].tolist(), "done")
    store.set_visit_status(met.loc[met["outcome"] != "installed", "id"].tolist(), "failed")
    left = planned[~planned["id"].isin(met["id"])]
    version = store.current_plan_version()
    settled = standing["installed"] | (standing["given_up"] != "")
    store.set_visit_status(
        left.loc[left["merchant_id"].isin(standing.index[settled]), "id"].tolist(), "superseded"
    )
    store.remove_unassigned(version, standing.index[standing["installed"]].tolist())
    given_up = standing[standing["given_up"] != ""]
    store.set_unassigned(
        version, pd.DataFrame({"merchant_id": given_up.index, "reason": given_up["given_up"]})
    )
    waiting = standing.index[~settled & ~standing.index.isin(left["merchant_id"])]
    store.set_unassigned(version, pd.DataFrame({"merchant_id": waiting, "reason": AWAITING_REPLAN}))
