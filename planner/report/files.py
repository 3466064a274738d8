"""File names for report files built from plan text (dates, staff ids), safe on any file system."""

from __future__ import annotations

import re

# Bytes kept of a file name: its parts come from files, and file systems stop at 255.
STEM_MAX_BYTES = 120


def file_stem(text: str, taken: set[str]) -> str:
    """``text`` made a file name (without suffix) that stays in its folder and is not yet taken.

    Parameters
    ----------
    text
        The wanted name, e.g. ``2022-02-07-11110-W001``; returned unchanged when already safe and free.
    taken
        Names given so far in the folder; the returned one is added. Compared ignoring case, as
        some file systems do.

    Returns
    -------
    str
        ``text`` with separators, spaces and control characters turned into ``_``, cut to
        ``STEM_MAX_BYTES``, and ``-2``, ``-3``... appended while the name is taken.
    """
    stem = re.sub(r"[^\w.-]+", "_", text).encode()[:STEM_MAX_BYTES].decode(errors="ignore").strip(".")
    stem = stem or "report"
    unique, count = stem, 1
    while unique.lower() in taken:
        count += 1
        unique = f"{stem}-{count}"
    taken.add(unique.lower())
    return unique
