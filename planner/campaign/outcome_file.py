"""Field outcome files as the field fills them in: columns, outcome words in Korean or English, times."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from planner.errors import InputError
from planner.io.spreadsheet import unquote_cell

OUTCOME_COLUMNS = ("merchant_id", "staff_id", "date", "outcome", "time", "note")
REQUIRED = ("merchant_id", "staff_id", "date", "outcome")
KEY = ("merchant_id", "staff_id", "date", "time", "outcome")  # same key, same outcome: imported once
TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")
SEOUL = ZoneInfo("Asia/Seoul")
SHOWN = 20
MAX_CELL_CHARS = 2000  # longer cells (a note pasted many times, a binary file) are refused
QUOTED_CHARS = 40  # a refused cell is quoted up to this length in messages
# The words a worker may write for each outcome, compared without case, spaces, "-" or "_".
OUTCOME_WORDS = {
    "installed": ("installed", "install", "done", "설치", "설치완료", "완료"),
    "closed": ("closed", "휴업", "폐업", "문닫음", "닫힘"),
    "refused": ("refused", "declined", "거부", "거절"),
    "not_found": ("not_found", "missing", "못찾음", "없음", "찾을수없음"),
    "moved": ("moved", "이전", "이사"),
}
_WORD_OUTCOME = {re.sub(r"[\s_-]+", "", w): o for o, words in OUTCOME_WORDS.items() for w in words}


class OutcomeError(InputError):
    """An outcome file cannot be imported; the message lists each problem with its row and column."""

    def __init__(self, source: str, problems: list[str]):
        self.problems = list(problems)
        shown = "\n  ".join(self.problems[:SHOWN])
        more = f"\n  ... and {len(self.problems) - SHOWN} more" if len(self.problems) > SHOWN else ""
        super().__init__(f"{source}: {len(self.problems)} problems, nothing was imported:\n  {shown}{more}")


@dataclass(frozen=True)
class OutcomeFile:
    """A parsed outcome file: the outcomes to record and how many rows had none (shops not visited)."""

    outcomes: pd.DataFrame  # OUTCOME_COLUMNS, source_file, source_row
    not_visited: int


def outcome_of(word: str) -> str | None:
    """The outcome a field word names (``"설치 완료"``, ``"Not found"``), or None when it names none.

    Parameters
    ----------
    word
        The ``outcome`` cell as written.

    Returns
    -------
    str or None
        One of ``planner.campaign.ledger.OUTCOMES``.
    """
    return _WORD_OUTCOME.get(re.sub(r"[\s_-]+", "", word.lower()))


def words_help() -> str:
    """The outcome words accepted, one group per outcome, for messages and help texts.

    Returns
    -------
    str
        ``installed (installed, install, done, 설치, ...); closed (...); ...``.
    """
    return "; ".join(f"{o} ({', '.join(words)})" for o, words in OUTCOME_WORDS.items())


def quote_for_message(value: str) -> str:
    """``value`` quoted for a message, cut to ``QUOTED_CHARS`` so one bad cell cannot flood the screen.

    Parameters
    ----------
    value
        A cell's text.

    Returns
    -------
    str
        Its ``repr``, or the ``repr`` of its start and its length.
    """
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


def _clock(text: str, date: str) -> tuple[str, str]:
    """``(HH:MM:SS, "")`` of a time cell (``9:05``, ``09:05:30`` or an ISO date and time), else
    ``("", why)``. An ISO time with an offset is read in Seoul time and must fall on ``date``."""
    match = TIME.match(text)
    if match is not None:
        hour, minute, second = match.groups()
        return f"{int(hour):02d}:{minute}:{second or '00'}", ""
    try:
        stamp = dt.datetime.fromisoformat(text)
    except ValueError:
        return "", f"{quote_for_message(text)} is not a time (HH:MM or YYYY-MM-DDTHH:MM)"
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(SEOUL)
    if date and stamp.date().isoformat() != date:
        return "", f"{quote_for_message(text)} is on {stamp.date()}, not on the row's date {date}"
    return stamp.strftime("%H:%M:%S"), ""


def _clean_row(cells: dict[str, str], row: int, source: str) -> tuple[dict, list[str]]:
    """Normalise one row's cells; return the record and its problems."""
    where = f"{source} row {row}"
    unreadable = _unreadable_cells(cells, where)
    if unreadable:
        return {}, unreadable
    record = {c: str(unquote_cell((cells.get(c) or "").strip())).strip() for c in OUTCOME_COLUMNS}
    problems = [f"{where}, column {c}: empty" for c in REQUIRED if not record[c]]
    outcome = outcome_of(record["outcome"])
    if record["outcome"] and outcome is None:
        problems.append(
            f"{where}, column outcome: {quote_for_message(record['outcome'])} is not an outcome; write one of "
            f"{words_help()}"
        )
    record["outcome"] = outcome or ""
    if record["date"]:
        try:
            record["date"] = dt.date.fromisoformat(record["date"]).isoformat()
        except ValueError:
            problems.append(
                f"{where}, column date: {quote_for_message(record['date'])} is not a date (YYYY-MM-DD)"
            )
    if record["time"]:
        record["time"], why = _clock(record["time"], record["date"] if not problems else "")
        problems += [f"{where}, column time: {why}"] if why else []
    record["source_file"], record["source_row"] = source, row
    return record, problems


def _not_visited(cells: dict[str, str], row: int, source: str) -> list[str] | None:
    """None when the row has an outcome; else its problems: a time or note without an outcome is
    refused (lest a result written in the wrong place be lost), a row with neither is not visited."""
    if (cells.get("outcome") or "").strip():
        return None
    written = [c for c in ("time", "note") if (cells.get(c) or "").strip()]
    if written:
        return [
            f"{source} row {row}, column outcome: empty but {' and '.join(written)} written; add the outcome"
        ]
    return []


def parse_outcome_file(text: str, source: str = "outcomes") -> OutcomeFile:
    """Parse the text of an outcome CSV file (pure: no file, no store).

    Parameters
    ----------
    text
        CSV with a header naming ``merchant_id, staff_id, date, outcome`` and optionally ``time``
        and ``note``; other columns (``stop``, ``name``, ``address``, ``planned`` of the outcome
        files ``planner sheets`` writes) are ignored. ``outcome`` is a word of ``OUTCOME_WORDS``
        (Korean or English); ``time`` is ``HH:MM`` or an ISO date and time; a cell the
        spreadsheet writer quoted (``'=...``) is read unquoted.
    source
        Name used in messages and recorded with each outcome.

    Returns
    -------
    OutcomeFile
        The outcomes: ``OUTCOME_COLUMNS`` plus ``source_file`` and ``source_row`` (the line
        number, header = 1), dates as ISO strings, times as ``HH:MM:SS`` or ``""``, rows
        repeating an earlier row's key (``KEY``) dropped; and the count of rows whose outcome
        is blank (shops not visited), which are skipped.

    Raises
    ------
    OutcomeError
        Listing every problem (file, row, column); then nothing may be imported.
    """
    # newline=None: a lone carriage return ends a line too (old spreadsheet exports) instead of failing.
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=None))
    records, problems, line, skipped = [], [], 0, 0
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            shown = ", ".join(map(quote_for_message, header[:10]))
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
            named = dict(zip(header, cells, strict=True))
            blank = _not_visited(named, row, source)
            if blank is not None:
                skipped += not blank
                problems += blank
                continue
            record, row_problems = _clean_row(named, row, source)
            records += [record] if not row_problems else []
            problems += row_problems
    except csv.Error as exc:
        # The reader cannot go on past a cell it refuses (one longer than csv.field_size_limit()).
        problems.append(f"{source} row {line + 1}: unreadable CSV ({exc}); nothing after it was read")
    if problems:
        raise OutcomeError(source, problems)
    frame = pd.DataFrame(records, columns=[*OUTCOME_COLUMNS, "source_file", "source_row"])
    return OutcomeFile(frame.drop_duplicates(list(KEY), ignore_index=True), skipped)


def parse_outcomes(text: str, source: str = "outcomes") -> pd.DataFrame:
    """The outcomes of an outcome CSV text (see :func:`parse_outcome_file`); blank rows skipped.

    Parameters
    ----------
    text
        The CSV text.
    source
        Name used in messages and recorded with each outcome.

    Returns
    -------
    pandas.DataFrame
        ``OUTCOME_COLUMNS`` plus ``source_file`` and ``source_row``.

    Raises
    ------
    OutcomeError
        Listing every problem (file, row, column).
    """
    return parse_outcome_file(text, source).outcomes


def read_outcome_file(path: str | Path) -> OutcomeFile:
    """Read and parse an outcome CSV file (see :func:`parse_outcome_file`).

    Parameters
    ----------
    path
        A CSV file with the columns ``REQUIRED``: UTF-8 (with or without a byte-order mark) or,
        as Korean Excel saves CSV, CP949.

    Returns
    -------
    OutcomeFile
        The parsed outcomes and the count of rows not visited.

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
        data = path.read_bytes()
    except FileNotFoundError:
        raise OutcomeError(str(path), [f"{path}: file not found"]) from None
    except OSError as exc:
        raise OutcomeError(str(path), [f"{path}: cannot be read ({exc.strerror or exc})"]) from None
    return parse_outcome_file(_decoded(data, path), source=str(path))


def _decoded(data: bytes, path: Path) -> str:
    """The file's text: UTF-8, or CP949 as Korean Excel saves "CSV (쉼표로 분리)"; else OutcomeError."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        reason = exc.reason
    try:
        return data.decode("cp949")
    except UnicodeDecodeError:
        raise OutcomeError(
            str(path),
            [f"{path}: not UTF-8 or CP949 text ({reason}); save it as 'CSV UTF-8' and import again"],
        ) from None


def read_outcomes(path: str | Path) -> pd.DataFrame:
    """The outcomes of an outcome CSV file (see :func:`read_outcome_file`).

    Parameters
    ----------
    path
        The outcome CSV file.

    Returns
    -------
    pandas.DataFrame
        The parsed outcomes, one row per file row with an outcome, with ``source_file`` and
        ``source_row``.

    Raises
    ------
    OutcomeError
        If the file is missing or any row is unusable.
    """
    return read_outcome_file(path).outcomes
