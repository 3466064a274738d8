"""Tests of person colours: one per staff id, the same everywhere, neighbours told apart."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from planner.report.colours import PERSON_COLOURS, person_colour


@given(
    prefix=st.text(max_size=12).filter(lambda text: not text[-1:].isdigit()),
    number=st.integers(0, 99_998),
)
def test_numbered_ids_next_to_each_other_differ(prefix, number):
    """Property: W001 and W002 (any prefix, any padding) never share a colour."""
    assert person_colour(f"{prefix}{number:03d}") != person_colour(f"{prefix}{number + 1:03d}")


def test_a_team_of_twelve_has_twelve_colours():
    """The first twelve numbered workers of a district all look different."""
    colours = [person_colour(f"11110-W{k:03d}") for k in range(1, 13)]
    assert sorted(colours) == sorted(PERSON_COLOURS)
    assert colours[0] == PERSON_COLOURS[0]


@given(st.one_of(st.text(), st.text("0123456789", min_size=5000, max_size=6000)))
def test_any_id_has_a_palette_colour(staff_id):
    """Property: any staff id, even a hostile or very long one, maps to a palette colour."""
    assert person_colour(staff_id) in PERSON_COLOURS
