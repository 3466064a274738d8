"""Tests of field outcome files: parsing, all-or-nothing imports, idempotence and contradictions."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from campaign_helpers import copy_store, day_outcomes, outcome_csv
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from planner.campaign.ledger import conservation
from planner.campaign.outcomes import (
    MAX_CELL_CHARS,
    OutcomeError,
    import_outcomes,
    parse_outcomes,
    read_outcomes,
)
from planner.campaign.store import CampaignStore
from planner.cli import app


@pytest.fixture
def store(base_store, tmp_path):
    """A private, open copy of the started campaign."""
    with CampaignStore(copy_store(base_store, tmp_path)) as opened:
        yield opened


def _write(tmp_path, name: str, rows: list[tuple]):
    path = tmp_path / name
    path.write_text(outcome_csv(rows), encoding="utf-8")
    return path


def test_parse_normalises_outcomes_times_and_row_numbers():
    """Outcome words and clock times are normalised; source_row is the line number (header = 1)."""
    text = (
        "merchant_id,staff_id,date,outcome,time\nA,W1,2022-02-07,Not Found,9:05\nB,W1,2022-02-07,installed,\n"
    )
    frame = parse_outcomes(text, "f.csv")
    assert list(frame["outcome"]) == ["not_found", "installed"]
    assert list(frame["time"]) == ["09:05:00", ""]
    assert list(frame["source_row"]) == [2, 3]


def test_parse_names_file_row_and_column_of_every_bad_cell():
    """Bad outcome, date and time cells are all reported, each with its file, row and column."""
    text = "merchant_id,staff_id,date,outcome,time\nA,W1,2022-02-31,fixed,25:00\n"
    with pytest.raises(OutcomeError) as caught:
        parse_outcomes(text, "f.csv")
    message = str(caught.value)
    for column in ("date", "outcome", "time"):
        assert f"f.csv row 2, column {column}" in message
    assert "nothing was imported" in message


def test_parse_refuses_a_file_without_the_required_columns():
    """A file lacking the outcome column is refused as a whole."""
    with pytest.raises(OutcomeError, match="missing column"):
        parse_outcomes("merchant_id,staff_id,date\nA,W1,2022-02-07\n", "f.csv")


HEADER = "merchant_id,staff_id,date,outcome,time,note\n"


def test_a_nul_byte_rejects_its_row_with_the_column():
    """A NUL byte (a binary or damaged file) is never stored: its row is refused, naming the column."""
    with pytest.raises(OutcomeError, match=r"f.csv row 2, column note: contains a NUL byte"):
        parse_outcomes(HEADER + "A,W1,2022-02-07,installed,09:00,left \x00 at the door\n", "f.csv")


def test_a_cell_beyond_the_csv_field_limit_is_a_row_problem():
    """A cell too long for the CSV reader is reported with its row, not raised as a CSV error."""
    text = (
        HEADER + "A,W1,2022-02-07,installed,09:00,fine\n" + "B,W1,2022-02-07,installed,09:00," + "x" * 200_000
    )
    with pytest.raises(OutcomeError, match=r"f.csv row 3: unreadable CSV \(field larger than field limit"):
        parse_outcomes(text, "f.csv")


def test_long_cells_are_refused_and_quoted_short():
    """A cell over MAX_CELL_CHARS is refused by row and column; bad long values are quoted cut short."""
    huge_id = "M" * (MAX_CELL_CHARS + 1)
    long_word = "y" * 500
    with pytest.raises(OutcomeError) as caught:
        parse_outcomes(
            HEADER + f"{huge_id},W1,2022-02-07,installed,,\nB,W1,2022-02-07,{long_word},,\n", "f.csv"
        )
    message = str(caught.value)
    assert f"f.csv row 2, column merchant_id: {MAX_CELL_CHARS + 1:,} characters" in message
    assert "f.csv row 3, column outcome: 'yyyy" in message and "(500 characters)" in message
    assert huge_id not in message and long_word not in message


def test_a_lone_carriage_return_ends_a_line():
    """Old spreadsheet exports end lines with a bare carriage return: they parse like newlines."""
    frame = parse_outcomes(HEADER.replace("\n", "\r") + "A,W1,2022-02-07,installed,9:05,\r", "f.csv")
    assert list(frame["merchant_id"]) == ["A"] and list(frame["source_row"]) == [2]


@pytest.mark.parametrize("make", [Path.mkdir, lambda path: os.mkfifo(path)], ids=["folder", "pipe"])
def test_an_outcome_path_that_is_not_a_file_is_refused(tmp_path, make):
    """A folder or a pipe given as the outcome file is one error, never a traceback or a hang."""
    path = tmp_path / "outcomes.csv"
    make(path)

    def hung(*_):
        raise TimeoutError("reading the outcome path hung")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(10)
    try:
        with pytest.raises(OutcomeError, match="give the outcome CSV file"):
            read_outcomes(path)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


CELL = st.text(st.sampled_from(list('AW19:-,"\r\n\x00 \t[]/é')), max_size=12)


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(st.lists(CELL, min_size=1, max_size=7), max_size=5))
def test_any_text_parses_or_is_refused_as_an_outcome_error(rows):
    """Whatever the cells hold, parsing returns outcomes or raises OutcomeError; no NUL is ever accepted."""
    text = HEADER + "\n".join(",".join(cells) for cells in rows)
    try:
        frame = parse_outcomes(text, "f.csv")
    except OutcomeError:
        return
    assert not frame.astype(str).apply(lambda column: column.str.contains("\x00")).any().any()


def test_cli_prints_brackets_of_a_file_as_text(base_store, tmp_path):
    """An outcome cell like '[/red]' is shown as written in the one error line, not read as colour markup."""
    path = _write(tmp_path, "odd.csv", [("[/red]", "W1", "2022-02-07", "installed", "09:00")])
    store = copy_store(base_store, tmp_path)
    result = CliRunner().invoke(app, ["outcomes", "import", str(path), "--store", str(store)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    assert "unknown shop '[/red]'" in " ".join(result.output.split())


def test_importing_the_same_file_twice_changes_nothing(store, tmp_path):
    """The second import of a file records no outcome and leaves every table as it was."""
    path = _write(tmp_path, "day0.csv", day_outcomes(store, 0))
    first = import_outcomes(store, path)
    counts, visits = store.counts(), store.visits()
    second = import_outcomes(store, path)
    assert first.added > 0 and second.added == 0 and second.duplicates == first.rows
    assert store.counts() == counts and store.visits().equals(visits)


def test_an_unknown_shop_rejects_the_whole_file(store, tmp_path):
    """One unknown merchant id rejects every row; the message names file, row and column."""
    rows = day_outcomes(store, 0)
    rows.insert(1, ("NO-SUCH-SHOP", "W1", rows[0][2], "installed", "12:00"))
    path = _write(tmp_path, "field.csv", rows)
    before = store.counts()
    with pytest.raises(
        OutcomeError, match=r"field\.csv row 3, column merchant_id: unknown shop 'NO-SUCH-SHOP'"
    ):
        import_outcomes(store, path)
    assert store.counts() == before


def test_installed_twice_in_one_file_is_a_contradiction(store, tmp_path):
    """A shop installed at two different times is refused, and nothing of the file is written."""
    shop, staff, date, _, _ = day_outcomes(store, 0)[0]
    path = _write(
        tmp_path,
        "f.csv",
        [(shop, staff, date, "installed", "10:00"), (shop, staff, date, "installed", "11:00")],
    )
    with pytest.raises(OutcomeError, match="installed twice"):
        import_outcomes(store, path)
    assert store.counts()["outcomes"] == 0


def test_closed_after_installed_the_same_day_is_a_contradiction(store, tmp_path):
    """Installed at 10:00 then closed at 15:00 the same day cannot both be true."""
    shop, staff, date, _, _ = day_outcomes(store, 0)[0]
    path = _write(
        tmp_path, "f.csv", [(shop, staff, date, "installed", "10:00"), (shop, staff, date, "closed", "15:00")]
    )
    with pytest.raises(OutcomeError, match="closed after installed"):
        import_outcomes(store, path)
    assert store.counts()["outcomes"] == 0


def test_anything_after_an_earlier_import_installed_is_refused(store, tmp_path):
    """An outcome dated after a recorded installation names the earlier file and row."""
    shop, staff, date, _, _ = day_outcomes(store, 0)[0]
    import_outcomes(store, _write(tmp_path, "day0.csv", [(shop, staff, date, "installed", "10:00")]))
    later = _write(tmp_path, "day1.csv", [(shop, staff, "2022-02-08", "refused", "10:00")])
    with pytest.raises(OutcomeError, match=r"refused after installed .*day0\.csv row 2"):
        import_outcomes(store, later)
    assert store.counts()["outcomes"] == 1


def test_an_outcome_outside_the_campaign_is_refused(store, tmp_path):
    """Dates before the first day or after the deadline are refused (column date)."""
    shop, staff, _, _, _ = day_outcomes(store, 0)[0]
    with pytest.raises(OutcomeError, match="column date: 2022-03-01 is outside the campaign"):
        import_outcomes(store, _write(tmp_path, "f.csv", [(shop, staff, "2022-03-01", "installed", "10:00")]))


def test_outcomes_settle_visits_and_keep_conservation(store, tmp_path):
    """Installed visits become done, closed ones failed and awaiting a re-plan, refused ones unassigned."""
    choice = {0: "closed", 1: "refused"}
    rows = day_outcomes(store, 0, lambda i: choice.get(i, "installed"))
    import_outcomes(store, _write(tmp_path, "day0.csv", rows))
    visits = store.visits().set_index("merchant_id")
    reasons = store.unassigned().set_index("merchant_id")["reason"]
    assert visits.loc[rows[2][0], "status"] == "done"
    assert visits.loc[rows[0][0], "status"] == "failed" and reasons[rows[0][0]] == "awaiting_replan"
    assert reasons[rows[1][0]] == "refused"
    assert conservation(store) == []
