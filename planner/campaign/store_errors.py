"""Why a campaign file cannot be used, said in one line that names the file and what to do."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pandas as pd

from planner.errors import InputError

# What the store's methods may raise from SQLite: pandas wraps the errors of its reads in its own.
SQL_ERRORS = (sqlite3.Error, pd.errors.DatabaseError, json.JSONDecodeError)
START_AGAIN = "restore it from a backup, or start again with 'planner campaign init' and a new --store file"

# SQLite's primary result codes (the low byte of an extended code), see sqlite.org/rescode.html.
_PERM, _BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 3, 5, 6, 8, 10, 11, 13, 14, 26


class StoreError(InputError):
    """A campaign file cannot be used: held by another program, damaged, read-only or not a store."""


def check_store_path(path: str) -> None:
    """Refuse a store path that exists but is not a regular file (a folder, a device, a pipe).

    Parameters
    ----------
    path
        The store path as given, or ``":memory:"``.

    Raises
    ------
    StoreError
        If ``path`` is a folder or another kind of non-file.
    """
    if path == ":memory:" or not Path(path).exists() or Path(path).is_file():
        return
    what = "a folder" if Path(path).is_dir() else "a device or a pipe"
    raise StoreError(f"{path}: is {what}, not a campaign file; give --store the campaign's file")


def explain(path: str, exc: BaseException, lock_wait_s: float) -> StoreError:
    """The one-line error a coordinator sees for an SQLite (or stored JSON) error on ``path``.

    Parameters
    ----------
    path
        The store file.
    exc
        An error of ``SQL_ERRORS``; pandas' read errors are explained by the SQLite error inside.
    lock_wait_s
        How long the store waited for another program's lock before giving up.

    Returns
    -------
    StoreError
        The error to raise, naming the file and what to do.
    """
    if isinstance(exc, pd.errors.DatabaseError) and isinstance(exc.__cause__, sqlite3.Error):
        exc = exc.__cause__
    if isinstance(exc, json.JSONDecodeError):
        return StoreError(f"{path}: damaged (a stored setting is not valid JSON); {START_AGAIN}")
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    if code in (_BUSY, _LOCKED):
        return StoreError(
            f"{path}: another program holds the campaign file (waited {lock_wait_s:g} s); "
            "try again when it has finished, or close it"
        )
    if code in (_READONLY, _PERM):
        return StoreError(
            f"{path}: the campaign file (or its folder) is read-only; make both writable, or work on a copy"
        )
    if code in (_CORRUPT, _NOTADB):
        return StoreError(f"{path}: damaged or not a campaign file ({detail}); {START_AGAIN}")
    if code == _FULL:
        return StoreError(f"{path}: the disk is full; free some space and run the command again")
    if code == _CANTOPEN:
        return StoreError(
            f"{path}: cannot open the campaign file; check that its folder exists and is readable and writable"
        )
    if code == _IOERR:
        return StoreError(
            f"{path}: the disk failed to read or write the campaign file ({detail}); {START_AGAIN}"
        )
    return StoreError(f"{path}: not a campaign file planner can read ({detail}); {START_AGAIN}")
