"""Cells safe to open in a spreadsheet: text that would run as a formula is quoted, reversibly."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

# A spreadsheet runs a cell as a formula when it starts with one of these (full-width forms too:
# Korean and Japanese spreadsheet set-ups may read them as the ASCII signs).
FORMULA_SIGNS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
# Tab and carriage return at the very start also make some programs read a formula (OWASP);
# the quote itself is quoted so that unquoting is exact.
_QUOTED_FIRST = frozenset("\t\r'")
QUOTE = "'"
# CRLF lines (RFC 4180): the CSV writer then quotes every cell holding a CR or LF, which a bare
# LF terminator does not do for a lone CR.
LINE_END = "\r\n"


def needs_quote(text: str) -> bool:
    """True when ``text`` would start a formula in a spreadsheet, or already starts with a quote.

    Leading blanks are looked through: ``" =1+1"`` counts as a formula.

    Parameters
    ----------
    text
        A cell's text.

    Returns
    -------
    bool
        Whether ``quote_cell`` puts a ``'`` in front of it.
    """
    return text[:1] in _QUOTED_FIRST or text.lstrip()[:1] in FORMULA_SIGNS


def quote_cell(value: object) -> object:
    """``value`` with a ``'`` in front when it is text that ``needs_quote``; anything else unchanged.

    A spreadsheet shows a cell starting with ``'`` as plain text. Numbers are never quoted, so a
    negative number stays a number.

    Parameters
    ----------
    value
        A cell of a frame about to be written.

    Returns
    -------
    object
        The quoted text, or ``value`` itself.
    """
    if isinstance(value, str) and needs_quote(value):
        return QUOTE + value
    return value


def unquote_cell(value: object) -> object:
    """Undo ``quote_cell``: drop the ``'`` it added; any other value is returned unchanged.

    Parameters
    ----------
    value
        A cell as read from a file that ``write_spreadsheet_csv`` wrote.

    Returns
    -------
    object
        The cell as it was before quoting.
    """
    if isinstance(value, str) and value[:1] == QUOTE and needs_quote(value[1:]):
        return value[1:]
    return value


def quote_text(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells are quoted with ``quote_cell``; numeric columns are kept.

    Parameters
    ----------
    frame
        The table about to be written.

    Returns
    -------
    pandas.DataFrame
        A quoted copy; ``frame`` is not changed.
    """
    quoted = frame.copy()
    for name, column in frame.items():
        if pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column):
            quoted[name] = column.map(quote_cell, na_action="ignore")
    return quoted


def write_spreadsheet_csv(
    frame: pd.DataFrame, path: str | Path, *, bom: bool = False, quoted: bool = False, **options
) -> Path:
    """Write ``frame`` as CSV that is safe to open in a spreadsheet, without its index.

    Text cells that would start a formula are quoted (``quote_text``); lines end in CRLF.

    Parameters
    ----------
    frame
        The table to write.
    path
        The file; its folder is created if needed.
    bom
        Start the file with a UTF-8 byte-order mark, so that Excel shows Korean text correctly.
    quoted
        Whether ``frame`` is already quoted (``quote_text``), as when many files are cut from one
        quoted table.
    **options
        Passed on to ``pandas.DataFrame.to_csv`` (e.g. ``date_format``).

    Returns
    -------
    pathlib.Path
        The file written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    encoding = "utf-8-sig" if bom else "utf-8"
    (frame if quoted else quote_text(frame)).to_csv(
        path, index=False, encoding=encoding, lineterminator=LINE_END, **options
    )
    return path


def read_spreadsheet_csv(
    path: str | Path, typed_columns: Iterable[str] = (), *, encoding: str = "utf-8-sig"
) -> pd.DataFrame:
    """Read a CSV written by ``write_spreadsheet_csv`` back exactly.

    Parameters
    ----------
    path
        The file.
    typed_columns
        Columns parsed by pandas as usual (numbers, true/false, missing values). Every other
        column is text, read cell for cell (no cell becomes missing) and unquoted.
    encoding
        Text encoding; the default reads UTF-8 with or without a byte-order mark.

    Returns
    -------
    pandas.DataFrame
        The table as it was written.
    """
    header = pd.read_csv(path, nrows=0, encoding=encoding).columns
    wanted = set(typed_columns)
    text = [name for name in header if name not in wanted]
    frame = pd.read_csv(path, encoding=encoding, usecols=text, dtype=str, keep_default_na=False)
    frame = frame.apply(lambda column: column.map(unquote_cell))
    if len(text) < len(header):  # typed columns as pandas reads them, read apart so text stays exact
        typed = pd.read_csv(path, encoding=encoding, usecols=[name for name in header if name in wanted])
        frame = pd.concat([frame, typed], axis=1)
    return frame.loc[:, list(header)]
