"""Tests for planner.io.roster: reading, checking and writing roster files."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.errors import InputError
from planner.io.people import Person
from planner.io.roster import ROSTER_COLUMNS, read_roster, write_roster, write_roster_rejects
from planner.settings import Settings

HEADER = ",".join(ROSTER_COLUMNS)
GOOD = "A1,Kim,card,Jongno-gu,Mo-Fr 09:00-18:00,office,office,walk,yes"


def read_rows(tmp_path: Path, *rows: str, header: str = HEADER, chosen: Settings | None = None):
    """Read a roster file holding ``rows`` under ``header``."""
    path = tmp_path / "roster.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return read_roster(path, chosen or Settings())


def one_field(tmp_path: Path, column: str, value: str):
    """Read GOOD with one field replaced."""
    cells = dict(zip(ROSTER_COLUMNS, GOOD.split(","), strict=True))
    cells[column] = f'"{value}"'
    return read_rows(tmp_path, ",".join(cells.values()))


def only_reject(result, column: str) -> str:
    """The one reject line of a one-row file, checked to name ``column``; its reason."""
    assert result.people == []
    assert list(result.rejects["column"]) == [column]
    assert list(result.rejects["row"]) == [2]
    return str(result.rejects["reason"].iat[0])


def test_a_full_row_becomes_one_person(tmp_path):
    """Every field of a filled-in row lands in the Person as written."""
    result = read_rows(tmp_path, GOOD)
    assert result.rejects.empty
    assert result.people == [
        Person("A1", "Kim", "card", "Jongno-gu", "Mo-Fr 09:00-18:00", "office", "office", "walk", True)
    ]


def test_blank_fields_take_the_settings_defaults(tmp_path):
    """Blank availability is the shift every day; blank start/end office; mode transit; lunch yes."""
    person = read_rows(tmp_path, "B1,,,,,,,,").people[0]
    assert (person.availability, person.start, person.end) == ("Mo-Su 09:00-18:00", "office", "office")
    assert (person.mode, person.lunch, person.district) == ("transit", True, None)


def test_blank_start_and_end_follow_open_start_and_open_routes(tmp_path):
    """With open_start and open_routes, blank start and end are first_shop and last_shop."""
    base = Settings()
    opened = replace(base, solver=replace(base.solver, open_start=True, open_routes=True))
    person = read_rows(tmp_path, "B1,,,,,,,,", chosen=opened).people[0]
    assert (person.start, person.end) == ("first_shop", "last_shop")


def test_only_staff_id_is_required(tmp_path):
    """A file with just a staff_id column reads, every other field defaulted."""
    result = read_rows(tmp_path, "P1", "P2", header="staff_id")
    assert [p.staff_id for p in result.people] == ["P1", "P2"]


def test_missing_staff_id_column_is_one_error_naming_the_file(tmp_path):
    """A header without staff_id is an InputError naming the file and the column."""
    with pytest.raises(InputError, match=r"roster\.csv: no 'staff_id' column; columns found: name"):
        read_rows(tmp_path, "Kim", header="name")


def test_korean_headers_are_understood(tmp_path):
    """Korean column names (사번, 이름, 구, 근무시간, 이동수단, 점심) read as the roster columns."""
    result = read_rows(
        tmp_path, "K1,김,종로구,Sa 10:00-15:00,도보,아니오", header="사번,이름,구,근무시간,이동수단,점심"
    )
    person = result.people[0]
    assert (person.staff_id, person.name, person.district) == ("K1", "김", "Jongno-gu")
    assert (person.availability, person.mode, person.lunch) == ("Sa 10:00-15:00", "walk", False)


@pytest.mark.parametrize(
    ("value", "reason"),
    [("", "staff_id is empty"), ("A\x071", "control character"), ("A1\u200b", "invisible character U+200B")],
)
def test_bad_staff_id_is_rejected(tmp_path, value, reason):
    """An empty staff_id, or one with a control or invisible character, rejects the row, naming staff_id."""
    assert reason in only_reject(one_field(tmp_path, "staff_id", value), "staff_id")


def test_duplicate_staff_id_keeps_the_first_row(tmp_path):
    """Of two rows with one staff_id the first is kept and the second rejected, naming the first's row."""
    result = read_rows(tmp_path, GOOD, GOOD.replace("Kim", "Lee"))
    assert [p.name for p in result.people] == ["Kim"]
    assert list(result.rejects["row"]) == [3]
    assert "row 2 already has it" in result.rejects["reason"].iat[0]


def test_name_with_nul_is_rejected(tmp_path):
    """A NUL in a name rejects the row (a sign of a binary file)."""
    assert "NUL" in only_reject(one_field(tmp_path, "name", "K\x00im"), "name")


def test_team_with_nul_is_rejected(tmp_path):
    """A NUL in a team rejects the row."""
    assert "NUL" in only_reject(one_field(tmp_path, "team", "c\x00ard"), "team")


@pytest.mark.parametrize("value", ["Jongno-gu", "종로구", "11110", "jongno"])
def test_district_accepts_english_korean_and_code(tmp_path, value):
    """A district given in English, Korean, by code or without -gu reads as the English name."""
    assert one_field(tmp_path, "district", value).people[0].district == "Jongno-gu"


def test_unknown_district_is_rejected(tmp_path):
    """A district that is no Seoul district rejects the row and lists the known ones."""
    assert "unknown district 'Atlantis'" in only_reject(
        one_field(tmp_path, "district", "Atlantis"), "district"
    )


def test_evening_availability_is_kept_whole(tmp_path):
    """An evening availability outside the day shift is accepted (not cut to the shift)."""
    assert (
        one_field(tmp_path, "availability", "Mo-Sa 17:00-22:00").people[0].availability == "Mo-Sa 17:00-22:00"
    )


def test_unparsable_availability_is_rejected(tmp_path):
    """Availability that is not opening_hours syntax rejects the row, saying where parsing stopped."""
    reason = only_reject(one_field(tmp_path, "availability", "Mo-Fr 9 to 6"), "availability")
    assert "not OSM opening_hours syntax" in reason


def test_availability_outside_the_week_is_rejected(tmp_path):
    """Availability that never opens in the campaign week rejects the row, naming the week's dates."""
    reason = only_reject(one_field(tmp_path, "availability", "Dec 25 09:00-18:00"), "availability")
    assert "no hours from 2022-02-07 to 2022-02-13" in reason


@pytest.mark.parametrize(
    ("value", "start"),
    [
        ("office", "office"),
        ("first_shop", "first_shop"),
        ("First shop", "first_shop"),
        ("37.57, 126.98", (37.57, 126.98)),
    ],
)
def test_start_accepts_kinds_and_points(tmp_path, value, start):
    """start reads office, first_shop (any case) and a lat,lon point."""
    assert one_field(tmp_path, "start", value).people[0].start == start


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("home", "is not office, first_shop or a point"),
        ("35.1,129.0", "outside Seoul"),
        ("126.98,37.57", "swapped"),
    ],
)
def test_bad_start_is_rejected(tmp_path, value, reason):
    """A start that is no kind, a point outside Seoul or swapped coordinates rejects the row."""
    assert reason in only_reject(one_field(tmp_path, "start", value), "start")


@pytest.mark.parametrize("value", ["office", "start", "last_shop"])
def test_end_accepts_its_kinds(tmp_path, value):
    """end reads office, start and last_shop."""
    assert one_field(tmp_path, "end", value).people[0].end == value


def test_bad_end_is_rejected(tmp_path):
    """An end that is not office, start or last_shop rejects the row."""
    assert "unknown end 'first_shop'" in only_reject(one_field(tmp_path, "end", "first_shop"), "end")


@pytest.mark.parametrize(
    ("value", "mode"), [("walk", "walk"), ("Transit", "transit"), ("car", "car"), ("도보", "walk")]
)
def test_mode_accepts_its_words(tmp_path, value, mode):
    """mode reads walk, transit and car, any case, and Korean words for them."""
    assert one_field(tmp_path, "mode", value).people[0].mode == mode


def test_bad_mode_is_rejected(tmp_path):
    """A mode that is not walk, transit or car rejects the row."""
    assert "unknown mode 'bike'" in only_reject(one_field(tmp_path, "mode", "bike"), "mode")


@pytest.mark.parametrize(
    ("value", "lunch"),
    [("yes", True), ("no", False), ("예", True), ("아니오", False), ("TRUE", True), ("0", False)],
)
def test_lunch_accepts_yes_and_no_words(tmp_path, value, lunch):
    """lunch reads yes/no, 예/아니오, true/false and 1/0."""
    assert one_field(tmp_path, "lunch", value).people[0].lunch is lunch


def test_bad_lunch_is_rejected(tmp_path):
    """A lunch that is neither yes nor no rejects the row."""
    assert "unknown lunch 'maybe'" in only_reject(one_field(tmp_path, "lunch", "maybe"), "lunch")


def test_a_row_with_several_problems_has_one_line_each_and_good_rows_stay(tmp_path):
    """Each problem of a bad row is one reject line; the valid rows around it are all kept."""
    result = read_rows(tmp_path, GOOD, "B1,x,,Atlantis,Xx,home,nowhere,bike,maybe", GOOD.replace("A1", "A2"))
    assert [p.staff_id for p in result.people] == ["A1", "A2"]
    assert set(result.rejects["column"]) == {"district", "availability", "start", "end", "mode", "lunch"}
    assert set(result.rejects["merchant_id"]) == {"B1"}


def test_row_with_wrong_field_count_is_rejected(tmp_path):
    """A row with more fields than the header is rejected by line, like in merchant files."""
    result = read_rows(tmp_path, GOOD + ",extra", GOOD.replace("A1", "A2"))
    assert [p.staff_id for p in result.people] == ["A2"]
    assert "row has 10 fields but the header has 9" in result.rejects["reason"].iat[0]


def test_cp949_roster_is_read(tmp_path):
    """A roster saved in CP949 (Korean Excel's default) reads with its Korean text intact."""
    path = tmp_path / "roster.csv"
    path.write_bytes("staff_id,name,district\nK1,김민수,종로구\n".encode("cp949"))
    person = read_roster(path, Settings()).people[0]
    assert (person.name, person.district) == ("김민수", "Jongno-gu")


@pytest.mark.parametrize("content", [b"", b"\n  \n"])
def test_empty_file_is_one_error(tmp_path, content):
    """An empty roster file is an InputError saying it is empty."""
    path = tmp_path / "roster.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match="roster is empty"):
        read_roster(path, Settings())


def test_missing_file_and_wrong_type_are_errors(tmp_path):
    """A missing roster or one that is not CSV is an InputError naming it."""
    with pytest.raises(InputError, match="no such file"):
        read_roster(tmp_path / "gone.csv", Settings())
    with pytest.raises(InputError, match=r"roster\.xlsx: a roster is a \.csv file"):
        read_roster(tmp_path / "roster.xlsx", Settings())


def test_rejects_write_to_the_reject_file_under_staff_id(tmp_path):
    """A roster's rejects go to <name>.rejects.csv, the ids under a staff_id header."""
    result = read_rows(tmp_path, "B1,x,,Atlantis,,,,,")
    path = write_roster_rejects(result.rejects, tmp_path / "roster.csv", tmp_path / "out")
    assert path == tmp_path / "out" / "roster.rejects.csv"
    assert path.read_text(encoding="utf-8-sig").splitlines()[0] == "row,staff_id,column,value,reason"
    assert path.read_text(encoding="utf-8-sig").splitlines()[1].startswith("2,B1,district,Atlantis,")


_text = st.text(st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp")), max_size=12).map(str.strip)
# Ids show every character: invisible format characters (Cf) are refused in them.
_id = st.text(st.characters(exclude_categories=("Cc", "Cf", "Cs", "Zl", "Zp")), max_size=12).map(str.strip)
_people = st.builds(
    Person,
    staff_id=_id.filter(bool),
    name=_text,
    team=_text,
    district=st.sampled_from([None, "Jongno-gu", "Gangnam-gu"]),
    availability=st.sampled_from(["Mo-Fr 09:00-18:00", "Mo-Sa 17:00-22:00; Su off", "Sa 10:00-15:00"]),
    start=st.one_of(
        st.sampled_from(["office", "first_shop"]),
        st.tuples(st.floats(37.42, 37.71), st.floats(126.77, 127.18)),
    ),
    end=st.sampled_from(["office", "start", "last_shop"]),
    mode=st.sampled_from(["walk", "transit", "car"]),
    lunch=st.booleans(),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=st.lists(_people, max_size=5, unique_by=lambda p: p.staff_id))
def test_write_roster_reads_back_the_same_people(tmp_path, people):
    """write_roster then read_roster gives back exactly the people written (formula-like text too)."""
    path = write_roster(people, tmp_path / "round.csv")
    result = read_roster(path, Settings())
    assert result.rejects.empty
    assert result.people == people


def test_each_distinct_availability_is_parsed_once(tmp_path, monkeypatch):
    """A roster repeating one availability parses it once, so a 100,000-row roster reads in seconds."""
    from planner.io import roster

    calls = []
    parse = roster.availability_windows
    monkeypatch.setattr(
        roster, "availability_windows", lambda text, week: calls.append(text) or parse(text, week)
    )
    rows = [GOOD.replace("A1", f"A{i}") for i in range(50)]
    result = read_rows(tmp_path, *rows)
    assert len(result.people) == 50
    assert calls == ["Mo-Fr 09:00-18:00"]
