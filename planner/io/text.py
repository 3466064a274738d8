"""Decode a CSV file's bytes and split them into rows of text cells, rejecting the rows that cannot be."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

import pandas as pd

from planner.errors import InputError
from planner.io.validate import empty_rejects, normalize_columns
from planner.schema import REJECT_COLUMNS

# Tried in this order when no encoding is given: register files up to 2022 are often CP949.
ENCODINGS: tuple[str, ...] = ("utf-8-sig", "cp949")
# Longer cells are not shop data (the csv module's own default limit): their row is rejected.
MAX_FIELD_CHARS = 131_072
SHOWN_CHARS = 200  # of a rejected row's text, in the reject file
_ID_COLUMNS = ("merchant_id", "상가업소번호")
# Bytes no encoding could read are kept as lone surrogates (Python's "surrogateescape").
_UNDECODABLE = re.compile("[\udc80-\udcff]")
_ENCODING_HINT = "save the file as UTF-8, or give its encoding (--encoding, e.g. --encoding euc-kr)"


class Decoded(NamedTuple):
    """A file's text and how it was decoded."""

    text: str  # undecodable bytes appear as lone surrogates U+DC80-U+DCFF
    encoding: str  # the encoding the text was read with
    fallback: str | None  # tried on each row that ``encoding`` cannot read


class Record(NamedTuple):
    """One CSV record: the line it starts on, the line it ends on and its fields."""

    line: int
    last_line: int
    fields: list[str]
    unclosed_quote: bool = False  # its last field opens a quote that swallowed the lines after it


def decode_text(data: bytes, *, source: str = "input", encoding: str | None = None) -> Decoded:
    """Decode file bytes with ``encoding``, or else the first of ``ENCODINGS`` that reads them all.

    When no encoding reads every byte, the text is UTF-8 with the bytes it cannot read kept as
    lone surrogates, and CP949 is the ``fallback`` each row holding them is tried with; with an
    explicit ``encoding`` there is no fallback. ``parse_csv_text`` rejects the rows left.

    Parameters
    ----------
    data
        The file's bytes.
    source
        The file's name, for messages.
    encoding
        The encoding to use; None to detect it (UTF-16 with a byte-order mark, then ``ENCODINGS``).

    Returns
    -------
    Decoded
        The text without byte-order mark, the encoding used and the fallback (or None).

    Raises
    ------
    InputError
        If ``encoding`` is not a text encoding Python knows, or cannot read the bytes at all.
    """
    if encoding:
        try:
            text = data.decode(encoding, "surrogateescape")
        except LookupError as error:  # unknown, or not a text encoding (rot13, hex)
            raise InputError(
                f"{source}: unknown encoding {encoding!r}; use e.g. utf-8, cp949 or euc-kr"
            ) from error
        except UnicodeError as error:  # codecs that cannot keep undecodable bytes (utf-32, idna)
            raise InputError(
                f"{source}: cannot read it as {encoding} ({error}); give its encoding, e.g. utf-8 or cp949"
            ) from error
        return Decoded(text.removeprefix("\ufeff"), encoding, None)
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    for candidate in ("utf-16", *ENCODINGS) if utf16 else ENCODINGS:
        try:
            text = data.decode(candidate).removeprefix("\ufeff")
        except UnicodeDecodeError:
            continue
        if candidate == "cp949" and any(map(_is_utf8_text, data.split(b"\n"))):
            break  # UTF-8 rows among CP949 ones: CP949 would garble them, so decide row by row
        return Decoded(text, candidate, None)
    return Decoded(data.decode("utf-8-sig", "surrogateescape"), "utf-8-sig", "cp949")


def _is_utf8_text(line: bytes) -> bool:
    """Whether a line has non-ASCII characters and is valid UTF-8."""
    if line.isascii():
        return False
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@contextmanager
def _field_limit(chars: int) -> Iterator[None]:
    """Let the csv module read cells of up to ``chars``: long cells are rejected by row, not by file."""
    before = csv.field_size_limit()
    csv.field_size_limit(max(before, chars))
    try:
        yield
    finally:
        csv.field_size_limit(before)


def _records(lines: list[str], width: int | None) -> Iterator[Record]:
    """Split lines into CSV records; an unclosed quote swallows only its own line.

    A record over several lines that strict CSV cannot read (a quote is never closed, or closed
    in the middle of a later cell) is given as its first line only, and reading resumes on the
    next line, so a stray quote does not take the rows after it with it. Cells over several lines
    that are quoted properly are kept whole.
    """
    start = 0
    while start < len(lines):
        reader = csv.reader(lines[i] for i in range(start, len(lines)))
        first = start + 1
        resume = None
        for fields in reader:
            line, last = first, start + reader.line_num
            first = last + 1
            if width is None and "".join(fields).strip():
                width = len(fields)  # the header
            elif last > line and width is not None and _unclosed(lines[line - 1 : last]):
                alone = next(csv.reader([lines[line - 1].rstrip("\r\n")]), [])
                yield Record(line, line, alone, unclosed_quote=True)
                resume = line
                break
            yield Record(line, last, fields)
        if resume is None:
            return
        start = resume


def _unclosed(record_lines: list[str]) -> bool:
    """Whether one record's lines hold a quote that strict CSV finds unbalanced."""
    try:
        for _ in csv.reader(record_lines, strict=True):
            pass
    except csv.Error:
        return True
    return False


def parse_csv_text(
    text: str, *, source: str = "input", encoding: str = "utf-8", fallback: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split CSV text into text cells indexed by the line number where each row starts.

    Blank lines, and lines holding only separators, are skipped. A row is rejected, with its line
    and the reason, when it has more or fewer fields than the header (it is not guessed at), when
    a cell is longer than ``MAX_FIELD_CHARS``, or when it holds bytes that could not be decoded
    (shown as U+DC80-U+DCFF) and that ``fallback`` cannot decode either.

    Parameters
    ----------
    text
        The decoded file, from ``decode_text``.
    source
        The file's name, for messages.
    encoding
        The encoding the text was read with, named in the reasons of undecodable rows.
    fallback
        The encoding tried on each row holding undecodable bytes, or None.

    Returns
    -------
    tuple of pandas.DataFrame
        The cells (header line gives the columns) and the rejects of unusable rows.

    Raises
    ------
    InputError
        If there is no header or the header cannot be decoded.
    """
    lines = list(io.StringIO(text, newline=""))
    undecodable = _UNDECODABLE.search(text) is not None  # else no row needs a second look
    header: list[str] | None = None
    numbers: list[int] = []
    rows: list[list[str]] = []
    problems: list[tuple[Record, int | None, str]] = []  # record, field index, reason
    with _field_limit(len(text) + 1):
        for record in _records(lines, None):
            if not "".join(record.fields).strip():
                continue
            if header is None:
                header = _decoded_header(record.fields, encoding, fallback, source)
                continue
            fields, problem = _checked(record, header, encoding, fallback if undecodable else "")
            if problem is not None:
                problems.append((record._replace(fields=fields), *problem))
            else:
                numbers.append(record.line)
                rows.append(fields)
    if header is None:
        raise InputError(f"{source}: the file is empty; expected a header and one row per shop")
    cells = pd.DataFrame(rows, columns=header, index=pd.Index(numbers, dtype="int64"), dtype=str)
    return cells, _row_rejects(header, problems, source)


def _decoded_header(fields: list[str], encoding: str, fallback: str | None, source: str) -> list[str]:
    decoded = _redecoded(fields, fallback)
    if decoded is None:
        tried = f"{_label(encoding)} or {_label(fallback)}" if fallback else _label(encoding)
        raise InputError(f"{source}: cannot decode the header line as {tried}; {_ENCODING_HINT}")
    return decoded


def _redecoded(fields: list[str], fallback: str | None) -> list[str] | None:
    """The fields, those holding undecodable bytes decoded with ``fallback``; None if they cannot be."""
    if not _UNDECODABLE.search("".join(fields)):
        return fields
    if fallback is None:
        return None
    try:
        # Every field of a row is in one encoding: a row copied in from another file.
        return [field.encode("utf-8", "surrogateescape").decode(fallback) for field in fields]
    except UnicodeError:
        return None


def _checked(record: Record, header: list[str], encoding: str, fallback: str | None) -> tuple:
    """The record's fields (decoded), and (field index, reason) if the row cannot be used.

    ``fallback`` is ``""`` when the text has no undecodable byte at all, so rows need no check.
    """
    fields = record.fields if fallback == "" else _redecoded(record.fields, fallback)
    if fields is None:
        at = next(i for i, field in enumerate(record.fields) if _UNDECODABLE.search(field))
        text = f"neither {_label(encoding)} nor {_label(fallback)}" if fallback else f"not {_label(encoding)}"
        return record.fields, (at, f"row holds bytes that are {text} text; {_ENCODING_HINT}")
    if record.unclosed_quote:
        return fields, (
            len(fields) - 1 if fields else None,
            "a quote opened in this cell is never closed; close or delete it "
            "(the lines after it were read as rows of their own)",
        )
    if len(fields) != len(header):
        fix = "quote values with commas" if len(fields) > len(header) else "fill in the missing fields"
        span = f"; the row spans lines {record.line}-{record.last_line}: check its quoted line breaks"
        reason = f"row has {len(fields)} fields but the header has {len(header)}; {fix}"
        return fields, (None, reason + span * (record.last_line > record.line))
    sizes = list(map(len, fields))
    if max(sizes) > MAX_FIELD_CHARS:
        longest = sizes.index(max(sizes))
        return fields, (longest, f"cell has {max(sizes):,} characters, over {MAX_FIELD_CHARS:,}; shorten it")
    return fields, None


def _label(encoding: str) -> str:
    return encoding.removesuffix("-sig")


def _shown(text: str) -> str:
    """Text for the reject file: undecodable bytes as \\xNN."""
    return _UNDECODABLE.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}", text)


def _row_rejects(
    header: list[str], problems: list[tuple[Record, int | None, str]], source: str
) -> pd.DataFrame:
    if not problems:
        return empty_rejects()
    names = list(normalize_columns(pd.DataFrame(columns=header), source=source).columns)
    id_at = next((names.index(c) for c in _ID_COLUMNS if c in names), None)
    records = []
    for record, at, reason in problems:
        fields = record.fields
        merchant_id = fields[id_at] if id_at is not None and id_at < len(fields) else ""
        records.append(
            {
                "row": record.line,
                "merchant_id": _shown(merchant_id)[:SHOWN_CHARS],
                "column": header[at] if at is not None and at < len(header) else "",
                "value": _shown(fields[at] if at is not None else ",".join(fields))[:SHOWN_CHARS],
                "reason": reason,
            }
        )
    return pd.DataFrame(records, columns=list(REJECT_COLUMNS)).astype(empty_rejects().dtypes.to_dict())
