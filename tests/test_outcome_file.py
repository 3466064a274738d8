"""Tests of outcome files as the field fills them in: Korean and English words, times, blank rows."""

from __future__ import annotations

import pytest

from planner.campaign.ledger import OUTCOMES
from planner.campaign.outcome_file import (
    OUTCOME_WORDS,
    OutcomeError,
    outcome_of,
    parse_outcome_file,
    parse_outcomes,
    read_outcomes,
)

HEADER = "merchant_id,staff_id,date,outcome,time,note\n"


def test_every_outcome_of_the_ledger_has_its_words():
    """Each outcome the ledger knows has a word list, and no other outcome is named."""
    assert tuple(OUTCOME_WORDS) == OUTCOMES


@pytest.mark.parametrize(
    ("word", "outcome"),
    [
        ("설치", "installed"),
        ("설치 완료", "installed"),
        ("Installed", "installed"),
        ("휴업", "closed"),
        ("폐업", "closed"),
        ("거부", "refused"),
        ("못찾음", "not_found"),
        ("없음", "not_found"),
        ("Not Found", "not_found"),
        ("not-found", "not_found"),
        ("이전", "moved"),
        ("MOVED", "moved"),
    ],
)
def test_korean_and_english_words_name_outcomes(word, outcome):
    """A worker's word, Korean or English, any case or spacing, reads as the ledger's outcome."""
    assert outcome_of(word) == outcome
    frame = parse_outcomes(HEADER + f"A,W1,2022-02-07,{word},,\n", "f.csv")
    assert list(frame["outcome"]) == [outcome]


def test_an_unknown_word_lists_the_words_to_write():
    """An outcome word the import does not know is refused with every accepted word listed."""
    with pytest.raises(OutcomeError) as caught:
        parse_outcomes(HEADER + "A,W1,2022-02-07,fixed,,\n", "f.csv")
    message = str(caught.value)
    assert "f.csv row 2, column outcome: 'fixed' is not an outcome" in message
    assert "installed (installed" in message and "설치" in message and "moved (moved, 이전" in message


def test_iso_times_read_as_seoul_clock_times():
    """ISO date-times (as routes.csv writes them, or in UTC) give the Seoul clock time of the row."""
    text = HEADER + (
        "A,W1,2022-02-07,installed,2022-02-07T09:05:00+09:00,\n"
        "B,W1,2022-02-07,installed,2022-02-07T01:30:00Z,\n"
        "C,W1,2022-02-07,installed,2022-02-07 14:10,\n"
        "D,W1,2022-02-07,installed,9:40,\n"
    )
    assert list(parse_outcomes(text, "f.csv")["time"]) == ["09:05:00", "10:30:00", "14:10:00", "09:40:00"]


def test_an_iso_time_on_another_day_is_refused():
    """A date-time that falls on another day than the row's date is a problem naming both days."""
    with pytest.raises(
        OutcomeError, match="column time: .* is on 2022-02-08, not on the row's date 2022-02-07"
    ):
        parse_outcomes(HEADER + "A,W1,2022-02-07,installed,2022-02-07T23:30:00Z,\n", "f.csv")


def test_rows_without_an_outcome_are_skipped_and_counted():
    """Blank outcome rows are shops not visited: skipped, counted, and the other rows kept."""
    text = HEADER + "A,W1,2022-02-07,,,\nB,W1,2022-02-07,설치,09:10,\nC,W1,2022-02-07, ,,\n"
    parsed = parse_outcome_file(text, "f.csv")
    assert list(parsed.outcomes["merchant_id"]) == ["B"] and parsed.not_visited == 2


def test_a_time_or_note_without_an_outcome_is_refused():
    """A result written without its outcome word is refused rather than silently skipped."""
    with pytest.raises(OutcomeError, match="row 2, column outcome: empty but note written"):
        parse_outcomes(HEADER + "A,W1,2022-02-07,,,shop was dark\n", "f.csv")


def test_spreadsheet_quoted_cells_and_extra_columns_read_as_written():
    """Cells quoted against formulas lose the quote; the route sheet's extra columns are ignored."""
    text = (
        "staff_id,staff_name,date,stop,merchant_id,name,address,planned,outcome,time,note\n"
        "W1,김,2022-02-07,1,'-12,'=가게,주소,09:00,설치,09:05,'=SUM(A1)\n"
    )
    frame = parse_outcomes(text, "f.csv")
    assert list(frame["merchant_id"]) == ["-12"] and list(frame["note"]) == ["=SUM(A1)"]


def test_a_file_saved_by_korean_excel_reads_as_cp949(tmp_path):
    """An outcome file saved as CP949 (Korean Excel's plain CSV) imports its Korean words."""
    path = tmp_path / "filled.csv"
    path.write_bytes((HEADER + "A,W1,2022-02-07,설치,09:05,문 앞 설치\n").encode("cp949"))
    frame = read_outcomes(path)
    assert list(frame["outcome"]) == ["installed"] and list(frame["note"]) == ["문 앞 설치"]


def test_bytes_in_no_known_encoding_are_one_problem(tmp_path):
    """A file neither UTF-8 nor CP949 is refused whole, saying how to save it."""
    path = tmp_path / "binary.csv"
    path.write_bytes(HEADER.encode() + b"A,W1,2022-02-07,\xff\xfe\xff,,\n")
    with pytest.raises(OutcomeError, match="not UTF-8 or CP949 text .* save it as 'CSV UTF-8'"):
        read_outcomes(path)
