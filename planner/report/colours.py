"""One colour per person, taken from the staff id alone, so it is the same on every map and GIS layer."""

from __future__ import annotations

import re
import zlib

# Dark enough for white stop numbers, neighbours far apart in hue: numbered ids step through them.
PERSON_COLOURS = (
    "#1f77b4",  # blue
    "#d62728",  # red
    "#2ca02c",  # green
    "#9467bd",  # purple
    "#e6550d",  # orange
    "#0f8b8d",  # teal
    "#8c564b",  # brown
    "#c2185b",  # magenta
    "#393b79",  # navy
    "#637939",  # olive
    "#7b4173",  # plum
    "#5f6b7a",  # slate
)
_NUMBERED = re.compile(r".*?(\d+)", re.DOTALL)
_NUMBER_DIGITS = 6  # enough to keep W001..W999 apart; a longer run of digits is not parsed whole


def person_colour(staff_id: str) -> str:
    """The colour a person is drawn in, the same in every map and layer of every plan.

    Ids ending in a number (``11110-W001``, ``P07``) take the palette in order by that number, so
    ``W001`` is always blue, ``W001`` and ``W002`` differ and any 12 consecutive numbers all differ;
    other ids (``kim.minji``) are hashed as a whole, so two of them may share a colour.

    Parameters
    ----------
    staff_id
        The person's id, as in ``routes.csv``.

    Returns
    -------
    str
        A ``#rrggbb`` colour from ``PERSON_COLOURS``.
    """
    text = str(staff_id)
    numbered = _NUMBERED.fullmatch(text)
    if numbered is None:
        index = zlib.crc32(text.encode("utf-8", "surrogatepass"))
    else:
        index = int(numbered.group(1)[-_NUMBER_DIGITS:]) - 1
    return PERSON_COLOURS[index % len(PERSON_COLOURS)]
