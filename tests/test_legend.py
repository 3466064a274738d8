"""Tests of what a map's panel lists: people, their labels and colours, and when it starts folded."""

from __future__ import annotations

import pandas as pd

from planner.report.colours import person_colour
from planner.report.legend import PANEL_OPEN_ROWS, panel_spec, people


def test_people_are_listed_once_by_id_with_their_first_name():
    """Each staff id is one legend entry, labelled by its first non-blank staff_name, in id order."""
    routes = pd.DataFrame(
        {"staff_id": ["W002", "W001", "W002", 7], "staff_name": [None, "김민지", " 이서준 ", ""]}
    )
    crew = people(routes)
    assert list(crew) == ["7", "W001", "W002"]
    assert [p["label"] for p in crew.values()] == ["7", "김민지 (W001)", "이서준 (W002)"]
    assert crew["W001"]["colour"] == person_colour("W001")


def test_a_panel_longer_than_the_screen_starts_folded_and_tiles_can_be_left_out():
    """More lines than PANEL_OPEN_ROWS fold the panel; tiles=None gives the page no tiles to try."""
    crew = people(pd.DataFrame({"staff_id": [f"W{k:03d}" for k in range(PANEL_OPEN_ROWS + 1)]}))
    assert not panel_spec(crew, ["2022-02-07"], [], [], [], None)["open"]
    few = panel_spec(
        dict(list(crew.items())[:3]), ["2022-02-07"], [], [], [], "https://t.example/{z}/{x}/{y}.png"
    )
    assert few["open"] and few["tiles"]["attribution"] == "tiles: t.example"
