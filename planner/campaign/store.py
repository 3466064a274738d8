"""The campaign store: one SQLite file of merchants, plans, visits and field outcomes (planner's only SQL)."""

from __future__ import annotations

import functools
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from planner.campaign.store_errors import (
    SQL_ERRORS,
    START_AGAIN,
    StoreError,
    check_store_path,
    explain,
)
from planner.errors import InputError
from planner.io.roster import ROSTER_COLUMNS
from planner.schema import MERCHANT_COLUMNS

DEFAULT_STORE = Path("campaign.sqlite")
VISIT_STATUSES = ("planned", "done", "failed", "superseded")
# Test hook: seconds to wait inside every transaction that wrote something, just before COMMIT, so a test can
# kill the process while a transaction is open and check that nothing partial was written.
COMMIT_DELAY_ENV = "PLANNER_STORE_COMMIT_DELAY_S"
# Seconds a command waits while another program holds the file (a writer, a DB browser) before it gives up.
LOCK_WAIT_S = 30.0

TRIAGE_FIELDS = ("needs_panel", "reason", "priority")
MERCHANT_TYPES = {
    "merchant_id": "TEXT PRIMARY KEY",
    "lat": "REAL NOT NULL",
    "lon": "REAL NOT NULL",
    "payment_errors": "INTEGER",
    "active": "INTEGER",
}
VISIT_FIELDS = (
    "merchant_id",
    "staff_id",
    "day",
    "date",
    "stop",
    "arrival_s",
    "start_s",
    "departure_s",
    "travel_s",
    "service_s",
    "leave_office_s",
    "back_office_s",
    "lunch_start_s",
)
OUTCOME_FIELDS = ("merchant_id", "staff_id", "date", "outcome", "time", "note", "source_file", "source_row")
# The roster is kept as the text cells of its file (``ROSTER_COLUMNS``); the pool's days beside it.
POOL_DAY_FIELDS = ("staff_id", "day", "district", "shift")


# The merchant columns of the first schema; later ones come with their own migration.
FIRST_MERCHANT_COLUMNS = MERCHANT_COLUMNS[: MERCHANT_COLUMNS.index("active") + 1]


def _migrate_1(conn: sqlite3.Connection) -> None:
    """Create the first schema: campaign, merchants, plans, visits, outcomes, unassigned."""
    merchant_columns = ", ".join(f"{c} {MERCHANT_TYPES.get(c, 'TEXT')}" for c in FIRST_MERCHANT_COLUMNS)
    statuses = ", ".join(f"'{s}'" for s in VISIT_STATUSES)
    script = f"""
        CREATE TABLE campaign (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            settings TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE merchants (
            {merchant_columns},
            needs_panel INTEGER NOT NULL,
            reason TEXT NOT NULL,
            priority INTEGER NOT NULL
        );
        CREATE TABLE plans (
            plan_version INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            from_day INTEGER NOT NULL,
            summary TEXT NOT NULL
        );
        CREATE TABLE visits (
            id INTEGER PRIMARY KEY,
            plan_version INTEGER NOT NULL REFERENCES plans(plan_version),
            merchant_id TEXT NOT NULL REFERENCES merchants(merchant_id),
            staff_id TEXT NOT NULL,
            day INTEGER NOT NULL,
            date TEXT NOT NULL,
            stop INTEGER NOT NULL,
            arrival_s INTEGER, start_s INTEGER, departure_s INTEGER,
            travel_s INTEGER, service_s INTEGER,
            leave_office_s INTEGER, back_office_s INTEGER, break_start_s INTEGER,
            status TEXT NOT NULL CHECK (status IN ({statuses}))
        );
        CREATE INDEX visits_by_status ON visits(status, merchant_id);
        CREATE TABLE outcomes (
            id INTEGER PRIMARY KEY,
            merchant_id TEXT NOT NULL REFERENCES merchants(merchant_id),
            staff_id TEXT NOT NULL,
            date TEXT NOT NULL,
            outcome TEXT NOT NULL,
            time TEXT NOT NULL,
            note TEXT NOT NULL,
            source_file TEXT NOT NULL,
            source_row INTEGER NOT NULL,
            imported_at TEXT NOT NULL,
            UNIQUE (merchant_id, staff_id, date, time, outcome)
        );
        CREATE TABLE unassigned (
            plan_version INTEGER NOT NULL REFERENCES plans(plan_version),
            merchant_id TEXT NOT NULL REFERENCES merchants(merchant_id),
            reason TEXT NOT NULL,
            PRIMARY KEY (plan_version, merchant_id)
        );
        """
    # executescript() would COMMIT the open transaction first: run the statements one by one.
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def _migrate_2(conn: sqlite3.Connection) -> None:
    """Name the lunch break's start as routes.csv and the code do: ``lunch_start_s``."""
    conn.execute("ALTER TABLE visits RENAME COLUMN break_start_s TO lunch_start_s")


def _migrate_3(conn: sqlite3.Connection) -> None:
    """Keep the visit window promised to each shop (``planner notices``): the latest one sent."""
    conn.execute(
        """CREATE TABLE notices (
            merchant_id TEXT NOT NULL REFERENCES merchants(merchant_id),
            date TEXT NOT NULL,
            promise_from TEXT NOT NULL,
            promise_to TEXT NOT NULL,
            staff_id TEXT NOT NULL,
            plan_version INTEGER NOT NULL REFERENCES plans(plan_version),
            sent_at TEXT NOT NULL,
            PRIMARY KEY (merchant_id)
        )"""
    )


def _migrate_4(conn: sqlite3.Connection) -> None:
    """Record when each merchant is ready for its visit (``available_from``, ISO text; NULL: now)."""
    conn.execute("ALTER TABLE merchants ADD COLUMN available_from TEXT")


def _migrate_5(conn: sqlite3.Connection) -> None:
    """Keep the campaign's roster, a person a row in file order, and where its pool goes each day.

    Both tables stay empty in a campaign planned with a head count (``--staff``).
    """
    conn.execute(
        """CREATE TABLE roster (
            seat INTEGER PRIMARY KEY,
            staff_id TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL, team TEXT NOT NULL, district TEXT NOT NULL,
            availability TEXT NOT NULL, start TEXT NOT NULL, "end" TEXT NOT NULL,
            mode TEXT NOT NULL, lunch TEXT NOT NULL
        )"""
    )
    conn.execute(
        """CREATE TABLE pool_days (
            staff_id TEXT NOT NULL REFERENCES roster(staff_id),
            day INTEGER NOT NULL,
            district TEXT NOT NULL,
            shift TEXT NOT NULL,
            PRIMARY KEY (staff_id, day)
        )"""
    )


# Migrations in order; migration i (1-based) brings the file from user_version i-1 to i.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _migrate_1,
    _migrate_2,
    _migrate_3,
    _migrate_4,
    _migrate_5,
)
NOTICE_FIELDS = ("merchant_id", "date", "promise_from", "promise_to", "staff_id")


def _insert(table: str, names: tuple[str, ...], verb: str = "INSERT") -> str:
    """``verb INTO table (names) VALUES (?, ...)``: one placeholder per column named."""
    return f"{verb} INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


@functools.cache
def _latest_columns() -> dict[str, set[str]]:
    """Each table of the latest schema with its columns, read from a throw-away migrated database."""
    conn = sqlite3.connect(":memory:")
    try:
        for migration in MIGRATIONS:
            migration(conn)
        return _columns(conn)
    finally:
        conn.close()


def _columns(conn: sqlite3.Connection) -> dict[str, set[str]]:
    tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {
        t: {row[0] for row in conn.execute("SELECT name FROM pragma_table_info(?)", (t,))} for t in tables
    }


def _reported(method):
    """Let ``method`` raise a one-line :class:`StoreError` naming the file instead of SQLite's errors."""

    @functools.wraps(method)
    def reporting(self: CampaignStore, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except SQL_ERRORS as exc:
            raise explain(self.path, exc, self.lock_wait_s) from exc

    return reporting


class CampaignStore:
    """One campaign in one SQLite file, opened in WAL mode and migrated to the latest schema.

    Every change happens inside :meth:`transaction` (``BEGIN IMMEDIATE`` ... ``COMMIT``), so a
    crash leaves the file as it was before or as it is after an operation, never in between.
    ``":memory:"`` gives a throw-away store (used by the simulation).

    A file that is locked by another program for longer than ``lock_wait_s`` (default
    ``LOCK_WAIT_S``), damaged, read-only or another program's database raises
    :class:`~planner.campaign.store_errors.StoreError`, an ``InputError`` naming the file.
    """

    def __init__(self, path: str | Path = DEFAULT_STORE, lock_wait_s: float | None = None):
        self.path = str(path)
        self.lock_wait_s = LOCK_WAIT_S if lock_wait_s is None else lock_wait_s
        self._depth = 0
        check_store_path(self.path)
        try:
            # isolation_level=None: the module opens no implicit transactions; we issue BEGIN ourselves.
            self.conn = sqlite3.connect(self.path, isolation_level=None, timeout=self.lock_wait_s)
        except sqlite3.Error as exc:  # e.g. its folder does not exist
            raise explain(self.path, exc, self.lock_wait_s) from exc
        try:
            self._open()
        except BaseException:
            self.conn.close()
            raise

    @_reported
    def _open(self) -> None:
        self.conn.execute("PRAGMA foreign_keys = ON")
        self._check_version()  # before WAL mode changes another program's file
        if self.path != ":memory:":
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = FULL")
        self.migrate()

    @classmethod
    def existing(cls, path: str | Path) -> CampaignStore:
        """Open a store that must already exist (instead of creating an empty file).

        Parameters
        ----------
        path
            The store file.

        Returns
        -------
        CampaignStore
            The opened store.

        Raises
        ------
        InputError
            If there is no file at ``path``.
        StoreError
            If the file cannot be used as a campaign store (see the class).
        """
        if not Path(path).exists():
            raise InputError(f"{path}: no campaign file here; start one with 'planner campaign init'")
        return cls(path)

    def __enter__(self) -> CampaignStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run the enclosed changes as one transaction; nested uses join the outer one.

        Yields
        ------
        sqlite3.Connection
            The store's connection; changes are committed when the block ends and rolled back if it
            raises.

        Raises
        ------
        StoreError
            If the transaction cannot start or commit (the file is locked, read-only, full or damaged).
        """
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise explain(self.path, exc, self.lock_wait_s) from exc
        self._depth, changes = 1, self.conn.total_changes
        try:
            yield self.conn
            delay = float(os.environ.get(COMMIT_DELAY_ENV, "0") or 0)
            if delay > 0 and self.conn.total_changes > changes:
                time.sleep(delay)
            self.conn.execute("COMMIT")
        except BaseException as exc:
            # SQLite itself rolls back on some errors (a damaged page, a full disk): then there is nothing to undo.
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            if isinstance(exc, SQL_ERRORS):
                raise explain(self.path, exc, self.lock_wait_s) from exc
            raise
        finally:
            self._depth = 0

    # --- schema -------------------------------------------------------------------------------
    @_reported
    def schema_version(self) -> int:
        """The file's schema version (``PRAGMA user_version``).

        Returns
        -------
        int
            0 for a new file, else the last migration applied.
        """
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    @_reported
    def journal_mode(self) -> str:
        """SQLite's journal mode, ``"wal"`` for files.

        Returns
        -------
        str
            The mode SQLite reports.
        """
        return str(self.conn.execute("PRAGMA journal_mode").fetchone()[0])

    @_reported
    def migrate(self) -> int:
        """Apply the migrations the file lacks, each in its own transaction; return the version.

        A file at the latest version is only read, so reading commands work while another
        program writes.

        Returns
        -------
        int
            The schema version the file has now.

        Raises
        ------
        StoreError
            If the file holds another program's tables, was written by a newer planner, or lacks
            a table or column of the latest schema.
        """
        found = self._check_version()
        for version, migration in enumerate(MIGRATIONS, start=1):
            if version <= found:
                continue
            with self.transaction() as conn:
                # Another process may have migrated the file while this one waited for the lock.
                if int(conn.execute("PRAGMA user_version").fetchone()[0]) >= version:
                    continue
                migration(conn)
                conn.execute(f"PRAGMA user_version = {version}")
        self._check_tables()
        return self.schema_version()

    def _check_version(self) -> int:
        """The file's schema version, after refusing files of a newer planner or of another program."""
        found = self.schema_version()
        if found > len(MIGRATIONS):
            raise StoreError(
                f"{self.path}: written by a newer planner (schema {found}, this one reads up to "
                f"{len(MIGRATIONS)}); update planner"
            )
        if found == 0 and _columns(self.conn):
            raise StoreError(
                f"{self.path}: holds another program's tables, not a campaign; give --store a new file name"
            )
        return found

    def _check_tables(self) -> None:
        """Refuse a file whose tables lack what the latest schema has (a hand-edited or foreign file)."""
        found = _columns(self.conn)
        for table, columns in _latest_columns().items():
            missing = sorted(columns - found.get(table, set()))
            if missing:
                what = (
                    f"no table {table}" if table not in found else f"table {table} lacks {', '.join(missing)}"
                )
                raise StoreError(f"{self.path}: not a campaign file planner can read ({what}); {START_AGAIN}")

    @_reported
    def counts(self) -> dict[str, int]:
        """Rows in each table, for checks and tests.

        Returns
        -------
        dict of str to int
            By table name.
        """
        tables = ("campaign", "merchants", "plans", "visits", "outcomes", "unassigned")
        return {t: int(self.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]) for t in tables}

    # --- campaign and merchants ---------------------------------------------------------------
    @_reported
    def write_campaign(self, settings: dict) -> None:
        """Store the campaign's settings (a JSON-ready dict); a store holds one campaign.

        Parameters
        ----------
        settings
            ``Campaign.to_dict()``.
        """
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO campaign (id, settings, created_at) VALUES (1, ?, ?)",
                (json.dumps(settings, sort_keys=True), _now()),
            )

    @_reported
    def read_campaign(self) -> dict | None:
        """The campaign's settings, or None for an empty store.

        Returns
        -------
        dict or None
            What ``write_campaign`` stored.
        """
        row = self.conn.execute("SELECT settings FROM campaign WHERE id = 1").fetchone()
        return None if row is None else json.loads(row[0])

    @_reported
    def write_merchants(self, triaged: pd.DataFrame, update: bool = False) -> None:
        """Store the campaign's merchants with their triage (``needs_panel``, ``reason``, ``priority``).

        Parameters
        ----------
        triaged
            Merchants of ``MERCHANT_COLUMNS`` with the triage columns.
        update
            Overwrite the stored row of a ``merchant_id`` already in the store (its visits and
            outcomes stay), instead of refusing it.
        """
        columns = (*MERCHANT_COLUMNS, *TRIAGE_FIELDS)
        if "available_from" not in triaged:  # frames made before the column existed: ready now
            triaged = triaged.assign(available_from=pd.NaT)
        frame = triaged.loc[:, list(columns)].copy()
        frame["qr_issued"] = pd.to_datetime(frame["qr_issued"]).dt.strftime("%Y-%m-%d")
        frame["available_from"] = pd.to_datetime(frame["available_from"], format="ISO8601").dt.strftime(
            "%Y-%m-%dT%H:%M:%S"
        )
        frame["active"] = frame["active"].astype(bool).astype(int)
        frame["needs_panel"] = frame["needs_panel"].astype(bool).astype(int)
        frame["priority"] = frame["priority"].astype(int)
        frame["payment_errors"] = frame["payment_errors"].fillna(0).astype(int)
        rows = frame.astype(object).where(frame.notna(), None).itertuples(index=False)
        upsert = ""
        if update:  # not INSERT OR REPLACE: that deletes the row, and its visits' references with it
            upsert = " ON CONFLICT (merchant_id) DO UPDATE SET " + ", ".join(
                f"{c} = excluded.{c}" for c in columns if c != "merchant_id"
            )
        with self.transaction() as conn:
            conn.executemany(_insert("merchants", columns) + upsert, rows)

    @_reported
    def needing_districts(self) -> pd.DataFrame:
        """``merchant_id`` and ``district`` of every shop needing a panel (a light read for status).

        Returns
        -------
        pandas.DataFrame
            Ordered by ``merchant_id``.
        """
        query = "SELECT merchant_id, district FROM merchants WHERE needs_panel = 1 ORDER BY merchant_id"
        return pd.read_sql_query(query, self.conn)

    @_reported
    def merchants(self, districts: list[str] | None = None) -> pd.DataFrame:
        """The campaign's merchants (of ``districts`` only, if given) in the canonical layout plus triage.

        Parameters
        ----------
        districts
            English district names, or None for all.

        Returns
        -------
        pandas.DataFrame
            Typed as ``read_merchants`` gives them, ordered by ``merchant_id``.
        """
        where, args = "", ()
        if districts is not None:
            where, args = f"WHERE district IN ({', '.join('?' for _ in districts)})", tuple(districts)
        query = f"SELECT * FROM merchants {where} ORDER BY merchant_id"
        frame = pd.read_sql_query(query, self.conn, params=args)
        frame["payment_errors"] = frame["payment_errors"].fillna(0).astype(int)
        frame["qr_issued"] = pd.to_datetime(frame["qr_issued"])
        frame["available_from"] = pd.to_datetime(frame["available_from"], format="ISO8601").astype(
            "datetime64[ns]"
        )
        for column in ("active", "needs_panel"):
            frame[column] = frame[column].astype(bool)
        frame["priority"] = frame["priority"].astype(int)
        return frame

    # --- plans, visits, unassigned ------------------------------------------------------------
    @_reported
    def current_plan_version(self) -> int | None:
        """The latest plan version, None before the first plan.

        Returns
        -------
        int or None
            The highest version stored.
        """
        return self.conn.execute("SELECT MAX(plan_version) FROM plans").fetchone()[0]

    @_reported
    def add_plan(self, from_day: int, summary: dict) -> int:
        """Record a new plan version starting at campaign day ``from_day``; return its number.

        Parameters
        ----------
        from_day
            The first campaign day the plan covers.
        summary
            The plan's figures, stored as JSON.

        Returns
        -------
        int
            The new version, one more than the current one.
        """
        with self.transaction() as conn:
            version = (self.current_plan_version() or 0) + 1
            conn.execute(
                "INSERT INTO plans (plan_version, created_at, from_day, summary) VALUES (?, ?, ?, ?)",
                (version, _now(), from_day, json.dumps(summary, default=str)),
            )
        return version

    @_reported
    def plans(self) -> pd.DataFrame:
        """Every plan version with its summary (a dict).

        Returns
        -------
        pandas.DataFrame
            ``plan_version``, ``created_at``, ``from_day`` and ``summary``, in version order.
        """
        frame = pd.read_sql_query("SELECT * FROM plans ORDER BY plan_version", self.conn)
        frame["summary"] = [json.loads(s) for s in frame["summary"]]
        return frame

    @_reported
    def add_visits(self, plan_version: int, visits: pd.DataFrame, status: str = "planned") -> None:
        """Store a plan's visits (columns ``VISIT_FIELDS``).

        Parameters
        ----------
        plan_version
            The version the visits belong to.
        visits
            One row per visit.
        status
            The status every visit gets.
        """
        frame = visits.loc[:, list(VISIT_FIELDS)].astype(object)
        rows = ((plan_version, *row, status) for row in frame.itertuples(index=False))
        with self.transaction() as conn:
            conn.executemany(_insert("visits", ("plan_version", *VISIT_FIELDS, "status")), rows)

    @_reported
    def shop_ids(self) -> dict[str, list[str]]:
        """The ids conservation is checked on, read with plain SQL (fast on a city's store).

        Keys: ``needing`` (shops needing a panel), ``installed`` (one per installed outcome),
        ``planned`` (one per planned visit of the current plan) and ``unassigned`` (with ``reasons``).

        Returns
        -------
        dict of str to list
            Lists of ids by key; ``reasons`` lines up with ``unassigned``.
        """
        version = self.current_plan_version()

        def column(query: str, *args) -> list:
            return [row[0] for row in self.conn.execute(query, args)]

        unassigned = self.conn.execute(
            "SELECT merchant_id, reason FROM unassigned WHERE plan_version = ?", (version,)
        ).fetchall()
        return {
            "needing": column("SELECT merchant_id FROM merchants WHERE needs_panel = 1"),
            "installed": column("SELECT merchant_id FROM outcomes WHERE outcome = 'installed'"),
            "planned": column(
                "SELECT merchant_id FROM visits WHERE status = 'planned' AND plan_version = ?", version
            ),
            "unassigned": [m for m, _ in unassigned],
            "reasons": [r for _, r in unassigned],
        }

    @_reported
    def visits(
        self, status: str | None = None, plan_version: int | None = None, columns: tuple[str, ...] = ()
    ) -> pd.DataFrame:
        """Visits, optionally of one status and one plan version, ordered by day, staff and stop.

        ``columns`` picks the columns to read (default: all); a city's plan has ~200,000 visits.

        Parameters
        ----------
        status
            ``planned``, ``done``, ``failed`` or ``superseded``; None for all.
        plan_version
            One version, or None for all.
        columns
            Columns to read; empty for all.

        Returns
        -------
        pandas.DataFrame
            One row per visit.

        Raises
        ------
        ValueError
            If ``columns`` names a column visits do not have.
        """
        known = {"id", "plan_version", "status", *VISIT_FIELDS}
        if not set(columns) <= known:
            raise ValueError(f"unknown visit columns {sorted(set(columns) - known)}")
        where, args = [], []
        if status is not None:
            where.append("status = ?")
            args.append(status)
        if plan_version is not None:
            where.append("plan_version = ?")
            args.append(plan_version)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        query = f"SELECT {', '.join(columns) or '*'} FROM visits {clause} ORDER BY day, staff_id, stop, id"
        return pd.read_sql_query(query, self.conn, params=args)

    @_reported
    def set_visit_status(self, visit_ids: list[int], status: str) -> None:
        """Give the visits ``visit_ids`` a new status.

        Parameters
        ----------
        visit_ids
            The visits' ``id``.
        status
            One of ``VISIT_STATUSES``.
        """
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE visits SET status = ? WHERE id = ?", ((status, int(i)) for i in visit_ids)
            )

    @_reported
    def supersede_planned(self, below: int | None = None) -> int:
        """Mark still-planned visits superseded (a new plan replaces them); return how many.

        With ``below``, only visits of plan versions before it (the new version's own stay planned).

        Parameters
        ----------
        below
            A plan version, or None for every version.

        Returns
        -------
        int
            The visits marked.
        """
        query = "UPDATE visits SET status = 'superseded' WHERE status = 'planned'"
        with self.transaction() as conn:
            if below is None:
                return conn.execute(query).rowcount
            return conn.execute(f"{query} AND plan_version < ?", (below,)).rowcount

    @_reported
    def carry_forward(self, old_version: int, new_version: int, districts: list[str]) -> int:
        """Copy plan ``old_version``'s planned visits and unassigned shops of ``districts`` into ``new_version``.

        A re-plan of some districts keeps the others' plans this way.

        Parameters
        ----------
        old_version
            The version copied from.
        new_version
            The version copied into.
        districts
            English names of the districts whose plans are kept.

        Returns
        -------
        int
            The visits copied.
        """
        fields = ", ".join(VISIT_FIELDS)
        chosen = ", ".join("?" for _ in districts)
        of_districts = f"merchant_id IN (SELECT merchant_id FROM merchants WHERE district IN ({chosen}))"
        with self.transaction() as conn:
            copied = conn.execute(
                f"INSERT INTO visits (plan_version, {fields}, status) SELECT ?, {fields}, 'planned' "
                f"FROM visits WHERE plan_version = ? AND status = 'planned' AND {of_districts} "
                "ORDER BY id",
                (new_version, old_version, *districts),
            ).rowcount
            conn.execute(
                "INSERT INTO unassigned (plan_version, merchant_id, reason) SELECT ?, merchant_id, reason "
                f"FROM unassigned WHERE plan_version = ? AND {of_districts}",
                (new_version, old_version, *districts),
            )
        return copied

    @_reported
    def set_unassigned(self, plan_version: int, unassigned: pd.DataFrame) -> None:
        """Record (or replace) why shops are not in plan ``plan_version`` (``merchant_id``, ``reason``).

        Parameters
        ----------
        plan_version
            The plan version.
        unassigned
            One row per shop, with ``merchant_id`` and ``reason``.
        """
        rows = (
            (plan_version, m, r) for m, r in zip(unassigned["merchant_id"], unassigned["reason"], strict=True)
        )
        with self.transaction() as conn:
            conn.executemany("INSERT OR REPLACE INTO unassigned VALUES (?, ?, ?)", rows)

    @_reported
    def remove_unassigned(self, plan_version: int, merchant_ids: list[str]) -> None:
        """Take shops out of plan ``plan_version``'s unassigned list.

        Parameters
        ----------
        plan_version
            The plan version.
        merchant_ids
            The shops taken out.
        """
        with self.transaction() as conn:
            conn.executemany(
                "DELETE FROM unassigned WHERE plan_version = ? AND merchant_id = ?",
                ((plan_version, m) for m in merchant_ids),
            )

    @_reported
    def unassigned(self, plan_version: int | None = None) -> pd.DataFrame:
        """Unassigned shops of a plan version (default: the current one).

        Parameters
        ----------
        plan_version
            The plan version, or None for the current one.

        Returns
        -------
        pandas.DataFrame
            ``merchant_id`` and ``reason``, ordered by ``merchant_id``.
        """
        version = self.current_plan_version() if plan_version is None else plan_version
        return pd.read_sql_query(
            "SELECT merchant_id, reason FROM unassigned WHERE plan_version = ? ORDER BY merchant_id",
            self.conn,
            params=(version,),
        )

    # --- outcomes -----------------------------------------------------------------------------
    @_reported
    def add_outcomes(self, outcomes: pd.DataFrame) -> int:
        """Insert outcomes (columns ``OUTCOME_FIELDS``); rows already present are skipped. Return how many were new.

        Parameters
        ----------
        outcomes
            Parsed outcomes with ``source_file`` and ``source_row``.

        Returns
        -------
        int
            The outcomes inserted.
        """
        frame = outcomes.loc[:, list(OUTCOME_FIELDS)].astype(object)
        now = _now()
        with self.transaction() as conn:
            before = conn.total_changes
            conn.executemany(
                _insert("outcomes", (*OUTCOME_FIELDS, "imported_at"), "INSERT OR IGNORE"),
                ((*row, now) for row in frame.itertuples(index=False)),
            )
            return conn.total_changes - before

    @_reported
    def outcomes(self) -> pd.DataFrame:
        """Every recorded outcome, in import order.

        Returns
        -------
        pandas.DataFrame
            One row per outcome, with ``id`` and ``imported_at``.
        """
        return pd.read_sql_query("SELECT * FROM outcomes ORDER BY id", self.conn)

    @_reported
    def last_outcome_id(self) -> int:
        """Id of the newest outcome (0 when none): a cheap marker of whether outcomes changed.

        Returns
        -------
        int
            The largest outcome ``id``.
        """
        return int(self.conn.execute("SELECT COALESCE(MAX(id), 0) FROM outcomes").fetchone()[0])

    # --- roster -------------------------------------------------------------------------------
    @_reported
    def write_roster(self, cells: pd.DataFrame, pool_days: pd.DataFrame) -> None:
        """Store the campaign's roster and its pool's days; a campaign has one roster, stored at its start.

        Parameters
        ----------
        cells
            One row per person in roster order, the text cells of ``ROSTER_COLUMNS``.
        pool_days
            ``POOL_DAY_FIELDS``: each pool person's district on each campaign day they are sent.
        """
        quoted = tuple(f'"{c}"' for c in ROSTER_COLUMNS)
        people = cells.loc[:, list(ROSTER_COLUMNS)].astype(str).itertuples(index=False)
        with self.transaction() as conn:
            conn.executemany(_insert("roster", quoted), people)
            _insert_pool_days(conn, pool_days)

    @_reported
    def set_pool_days(self, first: int, pool_days: pd.DataFrame) -> None:
        """Replace where the pool goes from campaign day ``first`` on (a re-plan sent it anew).

        Parameters
        ----------
        first
            The first campaign day replaced.
        pool_days
            ``POOL_DAY_FIELDS`` of the days ``first`` .. end.
        """
        with self.transaction() as conn:
            conn.execute("DELETE FROM pool_days WHERE day >= ?", (int(first),))
            _insert_pool_days(conn, pool_days)

    @_reported
    def roster(self) -> pd.DataFrame:
        """The campaign's roster as stored, in roster order (no rows: the campaign has none).

        Returns
        -------
        pandas.DataFrame
            ``ROSTER_COLUMNS``, text.
        """
        names = ", ".join(f'"{c}"' for c in ROSTER_COLUMNS)
        return pd.read_sql_query(f"SELECT {names} FROM roster ORDER BY seat", self.conn, dtype=str)

    @_reported
    def pool_days(self) -> pd.DataFrame:
        """Where the roster's pool goes: each person's district on each campaign day they are sent.

        Returns
        -------
        pandas.DataFrame
            ``POOL_DAY_FIELDS``, by person and day.
        """
        names = ", ".join(POOL_DAY_FIELDS)
        frame = pd.read_sql_query(f"SELECT {names} FROM pool_days ORDER BY staff_id, day", self.conn)
        return frame.astype({"staff_id": str, "day": "int64", "district": str, "shift": str})

    # --- notices ------------------------------------------------------------------------------
    @_reported
    def add_notices(self, plan_version: int, notices: pd.DataFrame) -> int:
        """Record promises sent to shops (columns ``NOTICE_FIELDS``); a shop's new promise replaces
        the one sent before. Return how many were recorded.

        Parameters
        ----------
        plan_version
            The plan version the promises were made from.
        notices
            One row per promise, times as ``HH:MM`` of ``date``.

        Returns
        -------
        int
            The promises recorded.
        """
        frame = notices.loc[:, list(NOTICE_FIELDS)].astype(str)
        now = _now()
        with self.transaction() as conn:
            conn.executemany(
                _insert("notices", (*NOTICE_FIELDS, "plan_version", "sent_at"), "INSERT OR REPLACE"),
                ((*row, plan_version, now) for row in frame.itertuples(index=False)),
            )
        return len(frame)

    @_reported
    def notices(self) -> pd.DataFrame:
        """Every promise sent, by date and shop.

        Returns
        -------
        pandas.DataFrame
            ``NOTICE_FIELDS`` with ``plan_version`` and ``sent_at``.
        """
        return pd.read_sql_query("SELECT * FROM notices ORDER BY date, merchant_id", self.conn)


def _insert_pool_days(conn: sqlite3.Connection, pool_days: pd.DataFrame) -> None:
    """Insert ``POOL_DAY_FIELDS`` rows into the pool's days."""
    days = pool_days.loc[:, list(POOL_DAY_FIELDS)].astype(object).itertuples(index=False)
    conn.executemany(_insert("pool_days", POOL_DAY_FIELDS), ((s, int(d), w, f) for s, d, w, f in days))
