"""Feed the CLI hostile files, settings, options and hand-edited plans; fail if any run misbehaves.

Run it from a checkout::

    python -m benchmarks.hostile --out /tmp/hostile

Each case runs ``triage``, ``plan``, ``map``, ``sheets`` or ``verify`` as a subprocess of the
checkout's CLI (60 s timeout each); the cases of ``benchmarks.hostile_field`` run ``staffing
--roster/--pool``, ``outcomes import``, ``campaign add``, ``replan``, ``status``, ``kits`` and
``notices`` on a campaign started from merchants with payload names. Each case is classed:

- OK: exit 0, and when rows were rejected the rejects file is there and every valid row (or
  roster person) was kept;
- ONE-LINE: exit 1 with a single line of output and no traceback, or one line ending in ``:``
  followed by indented problem lines (an outcome file's problems, all listed);
- CAUGHT: ``verify`` of a hand-edited plan exits 1 listing its problems (what a fault must do);
- BAD: a traceback or "internal error", a hang, another exit code, a multi-line error, a marker file a template payload
  created, ``49`` where ``{{7*7}}`` was written, a raw script or formula payload in an output, a
  verify fault that passes, or a plan rewritten in UTC that fails.

The script prints one row per case, counts per group and class, and exits 1 if any case is BAD.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zlib
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "tests" / "data" / "jongno_small.csv"
TIMEOUT_S = 60
FAST = ["--time-limit", "0.2", "--improve-time", "0"]
CLI = "import sys; from planner.cli import app; sys.argv[0] = 'planner'; app()"
CLASSES = ("OK", "ONE-LINE", "CAUGHT", "BAD")

# Merchant cells that must come out as text, never evaluated.
SEVEN = "X{{7*7}}Y"
SCRIPT = "</script><script>document.title='PWNED'</script>"
IMG = "<img src=x onerror=alert(1)>"
FORMULAS = (
    '=HYPERLINK("http://evil.example","click")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3+cmd|'/C calc'!A0",
)


@dataclass
class Run:
    """One command of a case and what it must do."""

    args: list[str]
    expect: str = "clean"  # clean: OK or ONE-LINE; fail: verify must find problems; pass: exit 0
    valid: int | None = None  # rows that must be kept when the command reads merchants (or people)
    count: str = "merchants"  # what the command says it read: "read N merchants" or "read N people"
    rejects: Path | None = None  # where rejected rows must go when some are
    needs: Path | None = None  # run only if this plan folder was written


@dataclass
class Case:
    """A hostile input and the commands it goes through."""

    name: str
    group: str
    runs: list[Run]
    outs: list[Path] = field(default_factory=list)  # folders whose files are scanned for payloads


@dataclass
class Result:
    """How a case ended: its class and, for BAD ones, why."""

    case: Case
    klass: str
    why: str
    seconds: float


# --------------------------------------------------------------------------------------- corpus
def base_rows(n: int = 30) -> tuple[list[str], list[list[str]]]:
    """The header and the first ``n`` rows of the small Jongno sample."""
    with SMALL.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1 : n + 1]


HEADER, ROWS = base_rows()


def shop(mid: str, **cells: str) -> list[str]:
    """A valid Jongno shop that needs a panel (damaged QR, open all day), with ``cells`` replaced."""
    row = dict(zip(HEADER, ROWS[0], strict=True))
    row.update(merchant_id=mid, name=f"hostile {mid}", opening_hours="24/7", qr_status="damaged")
    row.update(lat="37.5725", lon="126.9790", payment_errors="0", active="True")
    row.update(cells)
    return [row[c] for c in HEADER]


def csv_text(rows: list[list[str]], header: list[str] | None = HEADER) -> str:
    """Rows as CSV text with CRLF line ends."""
    lines = [] if header is None else [header]
    out = []
    for r in lines + rows:
        out.append(",".join('"' + c.replace('"', '""') + '"' if re.search(r'[",\r\n]', c) else c for c in r))
    return "\r\n".join(out) + "\r\n"


def gzip_bomb(megabytes: int) -> bytes:
    """A header and ``megabytes`` MB of one byte, gzipped to about a thousandth of that."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [deflate.compress(b"merchant_id,name,lat,lon\n")]
    block = b"x" * (1 << 20)
    parts += [deflate.compress(block) for _ in range(megabytes)]
    return b"".join([*parts, deflate.flush()])


def merchant_files(d: Path, marker: Path) -> list[tuple[str, Path, int | None, bool]]:
    """Hostile merchants files: (name, path, valid rows to keep or None, worth planning)."""
    n = len(ROWS)
    files: list[tuple[str, Path, int | None, bool]] = []

    def put(name: str, data: bytes | str, valid: int | None, plan: bool = False, suffix: str = ".csv"):
        path = d / f"{name}{suffix}"
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        files.append((name, path, valid, plan))

    good = csv_text(ROWS)
    put("utf8", good, n, True)
    put("utf8_bom", "\ufeff" + good, n)
    put("cp949", good.encode("cp949"), n)
    put("utf16", good.encode("utf-16"), None)
    put("utf16le_nobom", good.encode("utf-16-le"), None)
    mixed = csv_text(ROWS[:10]).encode("utf-8") + csv_text(ROWS[10:], None).encode("cp949")
    put("mixed_utf8_cp949", mixed, n)
    put("undecodable", good.encode() + b"Z1,\xff\xfe\xfa\x80\x81,Jongno-gu\r\n", n)
    put("nul_bytes", good.replace("종로 가게 3,", "종로\x00가게 3,"), None)
    put("nul_row", good + "\x00" * 200 + "\r\n", n)
    put("double_bom", "\ufeff\ufeff" + good, None)
    put("huge_field", csv_text([*ROWS, shop("H1", name="A" * 2_000_000)]), n)
    put("huge_line_count_fields", csv_text([*ROWS, shop("H2") + ["x"] * 50_000]), n)
    put("unclosed_quote", good + 'U1,"never closed,Jongno-gu,cafe\r\n' + "U2,x,Jongno-gu\r\n" * 5, n)
    put("unclosed_quote_early", csv_text(ROWS[:3]) + 'U1,"open\r\n' + csv_text(ROWS[3:], None), None)
    put("header_only", ",".join(HEADER) + "\r\n", None)
    put("no_header", csv_text(ROWS, None), None)
    put("wrong_columns", "a,b,c\r\n1,2,3\r\n", None)
    put("duplicate_columns", csv_text([r + [r[1]] for r in ROWS], [*HEADER, "name"]), None)
    put("duplicate_lat", csv_text([r + ["0"] for r in ROWS], [*HEADER, "lat"]), None)
    put("empty", b"", None)
    put("whitespace_only", "\r\n \r\n\t\r\n", None)
    put("binary", bytes(range(256)) * 64, None)
    put("gzip_named_csv", b"\x1f\x8b\x08\x00" + os.urandom(300), None)
    put("garbage_gz", os.urandom(300), None, suffix=".csv.gz")
    put("gzip_bomb", gzip_bomb(600), None, suffix=".csv.gz")
    put("one_valid_plus_junk", csv_text([ROWS[0]]) + "junk;junk;junk\r\n" * 20 + "\x01\x02,,,\r\n", 1)
    payloads = [
        shop("P01", name=SEVEN),
        shop("P02", name="{{ lipsum.__globals__.os.popen('touch " + str(marker) + "').read() }}"),
        shop("P03", name="{% for x in range(3) %}L{% endfor %}", address="{% raw %}x"),
        shop("P04", name="${7*7}${jndi:ldap://x}", address="#{7*7}"),
        shop("P05", name=SCRIPT, address=IMG),
        shop("P06", name=FORMULAS[0], address=FORMULAS[1], category="cafe"),
        shop("P07", name=FORMULAS[2], address=FORMULAS[3]),
        shop("P08", name="종로 빵집 \u202eevil\u202c \u200b\u200d zero", address="서울특별시 종로구 \u200f"),
        shop("P09", name="N" * 5000, address="A" * 5000),
        shop("P10", name="quote \" and ' and \\ backslash", opening_hours="24/7"),
        shop("P11", name="\t=1+1", address="\r=2+2"),
    ]
    put("payloads", csv_text([*ROWS, *payloads]), n + len(payloads), True)
    put("payload_ids", csv_text([*ROWS, shop("{{7*7}}"), shop("=1+1"), shop("</script>")]), n + 3, True)
    put("payloads_cp949", csv_text([*ROWS, shop("K1", name=SEVEN + " 가게")]).encode("cp949"), n + 1, True)
    coords = [
        shop("C01", lat="91", lon="126.98"),
        shop("C02", lat="NaN", lon="126.98"),
        shop("C03", lat="inf", lon="-inf"),
        shop("C04", lat="thirty-seven", lon="east"),
        shop("C05", lat="126.9790", lon="37.5725"),
        shop("C06", lat="", lon=""),
        shop("C07", lat="1e308", lon="1e308"),
        shop("C08", lat="37,5725", lon="126,9790"),
        shop("C09", lat="0", lon="0"),
        shop("C10", lat="-37.5725", lon="-126.979"),
        shop("C11", lat="37.5725" + "0" * 5000, lon="126.979"),
    ]
    put("coordinates", csv_text([*ROWS, *coords]), n, True)
    hours = [
        shop("O01", opening_hours="garbage"),
        shop("O02", opening_hours="; ".join(f"Mo-Su {h:02d}:00-{h:02d}:30" for h in range(24)) * 40),
        shop("O03", opening_hours="Mo-Fr 09:00-18:00" * 3000),
        shop("O04", opening_hours="((((((((((((((((((((((((((((("),
        shop("O05", opening_hours="Mo-Su 25:00-26:00"),
        shop("O06", opening_hours="week 1-53/2 Mo 09:00-10:00; PH off; easter +3 days 10:00-11:00"),
        shop("O07", opening_hours="sunrise-sunset"),
        shop("O08", opening_hours='Mo-Su 00:00-24:00 || "by appointment"'),
        shop("O09", opening_hours="Jan-Dec Mo-Su " + ",".join(f"{h:02d}:00-{h:02d}:05" for h in range(24))),
    ]
    put("opening_hours", csv_text([*ROWS, *hours]), n, True)
    dates = [
        shop("D01", qr_issued="9999-12-31", qr_status="ok"),
        shop("D02", qr_issued="0001-01-01", qr_status="ok"),
        shop("D03", qr_issued="2021-13-45"),
        shop("D04", qr_issued="1e9"),
        shop("D05", payment_errors="-5", qr_status="ok"),
        shop("D06", payment_errors="99999999999999999999999", qr_status="ok"),
        shop("D07", payment_errors="nan", qr_status="ok"),
        shop("D08", active="maybe"),
    ]
    put("dates_and_counts", csv_text([*ROWS, *dates]), n, True)
    districts = [
        shop("R01", district="Atlantis-gu"),
        shop("R02", district=""),
        shop("R03", district="종로구"),
        shop("R04", district="JONGNO-GU "),
        shop("R05", district="11110"),
        shop("R06", district="Jung-gu"),
    ]
    put("districts", csv_text([*ROWS, *districts]), n, True)
    put(
        "districts_two",
        csv_text([*ROWS, shop("R07", district="Gangnam-gu", lat="37.4979", lon="127.0276")]),
        n,
    )
    put("all_blank_district", csv_text([r[:2] + [""] + r[3:] for r in ROWS]), None)
    put("ids_duplicated", csv_text([*ROWS, *ROWS[:5]]), None, True)
    put("only_bad_rows", csv_text(coords), None)
    put("long_names", csv_text([*ROWS, shop("L1", name="가" * 100_000)]), n, True)
    put("rtl_zero_width_header", csv_text(ROWS, [h + "\u200b" if h == "lat" else h for h in HEADER]), None)
    put("semicolon_separated", good.replace(",", ";"), None)
    put("tab_separated", good.replace(",", "\t"), None)
    put("many_rows_one_column", "merchant_id\r\n" + "x\r\n" * 10_000, None)
    put("cr_only_line_ends", good.replace("\r\n", "\r"), None)

    # GeoJSON
    def feature(mid: str, geometry: dict | None, **props: str) -> dict:
        base = dict(zip(HEADER, shop(mid), strict=True))
        base.pop("lat"), base.pop("lon")
        base.update(props)
        return {"type": "Feature", "properties": base, "geometry": geometry}

    point = {"type": "Point", "coordinates": [126.979, 37.5725]}
    good_geo = {"type": "FeatureCollection", "features": [feature(f"G{i}", point) for i in range(5)]}
    put("geo_good", json.dumps(good_geo), 5, False, ".geojson")
    put("geo_broken", json.dumps(good_geo)[:-40], None, False, ".geojson")
    put("geo_empty", json.dumps({"type": "FeatureCollection", "features": []}), None, False, ".geojson")
    put("geo_empty_file", b"", None, False, ".geojson")
    poly = {
        "type": "Polygon",
        "coordinates": [[[126.97, 37.57], [126.98, 37.57], [126.98, 37.58], [126.97, 37.57]]],
    }
    line = {"type": "LineString", "coordinates": [[126.97, 37.57], [126.98, 37.58]]}
    wrong = [feature("W1", poly), feature("W2", line), feature("W3", None), feature("W4", point)]
    put(
        "geo_wrong_geometry",
        json.dumps({"type": "FeatureCollection", "features": wrong}),
        1,
        False,
        ".geojson",
    )
    far = {"type": "Point", "coordinates": [1e300, float("nan")]}
    put(
        "geo_nan_point",
        json.dumps({"type": "FeatureCollection", "features": [feature("N1", far), feature("N2", point)]}),
        1,
        False,
        ".geojson",
    )
    put("geo_not_featurecollection", json.dumps([1, 2, 3]), None, False, ".json")
    put(
        "geo_payload",
        json.dumps({"type": "FeatureCollection", "features": [feature("GP", point, name=SEVEN)]}),
        1,
        False,
        ".geojson",
    )
    put("wrong_extension", good, None, False, ".xlsx")
    dir_path = d / "a_directory.csv"
    dir_path.mkdir()
    files.append(("directory", dir_path, None, False))
    files.append(("missing_file", d / "does_not_exist.csv", None, False))
    return files


def boundary_files(d: Path) -> list[tuple[str, Path]]:
    """Hostile district boundary files given with ``--boundaries``."""
    square = [[126.90, 37.50], [127.10, 37.50], [127.10, 37.70], [126.90, 37.70], [126.90, 37.50]]

    def collection(*features: dict) -> str:
        return json.dumps({"type": "FeatureCollection", "features": list(features)})

    def polygon(props: dict, ring: list | None = None) -> dict:
        geometry = {"type": "Polygon", "coordinates": [ring or square]}
        return {"type": "Feature", "properties": props, "geometry": geometry}

    point = {
        "type": "Feature",
        "properties": {"name": "Jongno-gu"},
        "geometry": {"type": "Point", "coordinates": [126.98, 37.57]},
    }
    bowtie = [[126.9, 37.5], [127.1, 37.7], [127.1, 37.5], [126.9, 37.7], [126.9, 37.5]]
    texts = {
        "good": collection(polygon({"name": "Jongno-gu"})),
        "broken": collection(polygon({"name": "Jongno-gu"}))[:-30],
        "empty": collection(),
        "empty_file": "",
        "points_only": collection(point),
        "no_name_column": collection(polygon({"colour": "blue"})),
        "unknown_names": collection(polygon({"name": "Atlantis-gu"})),
        "blank_and_mixed": collection(polygon({"name": ""}), polygon({"name": "종로구"}, bowtie)),
        "payload_names": collection(polygon({"name": SEVEN})),
        "null_geometry": json.dumps(
            {
                "type": "FeatureCollection",
                "features": [{"type": "Feature", "properties": {"name": "Jongno-gu"}, "geometry": None}],
            }
        ),
        "binary": None,
    }
    files = []
    for name, text in texts.items():
        path = d / f"boundaries-{name}.geojson"
        path.write_bytes(os.urandom(2048) if text is None else text.encode("utf-8"))
        files.append((name, path))
    return files


SETTINGS = {
    "wrong_types": '[week]\ndays = "seven"\n[solver]\ntime_limit_s = "fast"\n',
    "out_of_range": "[week]\ndays = 400\n[solver]\ntime_limit_s = -5\n",
    "bom": "\ufeff[solver]\ntime_limit_s = 0.2\nimprove_s = 0\n",
    "garbage": "this is = = not [toml\n\x00\x01",
    "binary": None,
    "missing_sections": "days = 3\n",
    "huge_numbers": "[week]\ndays = 99999999999999999999\n[solver]\ntime_limit_s = 1e308\n",
    "nested_junk": "[week.days.more]\nx = [[1, {a = 2}]]\n[[solver]]\ny = 1\n",
    "unknown_key": "[solver]\ntime_limt_s = 1\n",
    "inf_nan": "[solver]\ntime_limit_s = nan\nimprove_s = inf\n",
    "shift_inverted": '[week]\nshift_start = "18:00"\nshift_end = "09:00"\n',
    "lunch_too_long": "[week]\nlunch_min = 600\n",
    "bad_date": '[week]\nstart_date = "2022-02-30"\n',
    "service_negative": "[service_min]\ncafe = -4\n",
    "service_junk_category": '[service_min]\n"{{7*7}}" = 5\n',
    "empty": "",
    "utf16": "[solver]\ntime_limit_s = 0.2\n".encode("utf-16"),
    "deep_nesting": "a = " + "[" * 100_000 + "]" * 100_000 + "\n",
}

OPTIONS = {
    "staff_0": ["--staff", "0"],
    "staff_neg": ["--staff", "-3"],
    "staff_word": ["--staff", "many"],
    "staff_1e9": ["--staff", "1e9"],
    "staff_huge": ["--staff", "1000000000"],
    "days_0": ["--days", "0"],
    "days_32": ["--days", "32"],
    "days_7.9": ["--days", "7.9"],
    "time_limit_0": ["--time-limit", "0"],
    "time_limit_neg": ["--time-limit", "-1"],
    "time_limit_nan": ["--time-limit", "nan"],
    "time_limit_inf": ["--time-limit", "inf"],
    "start_0001": ["--start", "0001-01-01"],
    "start_9999": ["--start", "9999-12-31"],
    "start_garbage": ["--start", "soon"],
    "processes_0": ["--processes", "0"],
    "improve_neg": ["--improve-time", "-2"],
    "scenario_junk": ["--scenario", "{{7*7}}"],
    "district_junk": ["--district", "Atlantis-gu"],
    "cutoff_garbage": ["--cutoff", "2021-02-30"],
    "unknown_option": ["--frobnicate"],
    "encoding_junk": ["--encoding", "klingon"],
    "encoding_rot13": ["--encoding", "rot13"],
    "encoding_utf32": ["--encoding", "utf-32"],
    "encoding_idna": ["--encoding", "idna"],
    "out_is_a_file": ["--out", str(SMALL)],
    "out_under_a_file": ["--out", str(SMALL / "plan")],
}


# ------------------------------------------------------------------------------ plan edits
def read_routes(folder: Path) -> tuple[list[str], list[dict[str, str]]]:
    """routes.csv as its header and rows."""
    with (folder / "routes.csv").open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def write_routes(folder: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    """Write routes.csv back from its header and rows."""
    with (folder / "routes.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def _shift_iso(text: str, seconds: int) -> str:
    return (datetime.fromisoformat(text) + timedelta(seconds=seconds)).isoformat()


def _utc(text: str) -> str:
    return datetime.fromisoformat(text).astimezone(UTC).isoformat()


TIME_COLUMNS = ("arrival", "start", "departure", "leave_office", "back_office", "lunch_start")


def plan_edits() -> dict[str, tuple[str, object]]:
    """Hand edits of a written plan: name -> (what verify must do, the edit)."""

    def rows_edit(fn):
        def edit(folder: Path) -> None:
            header, rows = read_routes(folder)
            header = fn(header, rows) or header
            write_routes(folder, header, rows)

        return edit

    def first_day(rows):
        return [r for r in rows if (r["staff_id"], r["date"]) == (rows[0]["staff_id"], rows[0]["date"])]

    def departure_before_start(h, rows):
        rows[3]["departure"] = _shift_iso(rows[3]["start"], -60)

    def one_minute_service(h, rows):
        rows[3]["departure"] = _shift_iso(rows[3]["start"], 60)

    def back_office_early(h, rows):
        day = first_day(rows)
        back = _shift_iso(day[-1]["departure"], 1)
        for r in day:
            r["back_office"] = back

    def offset_changed(h, rows):
        for c in ("arrival", "start", "departure"):
            rows[5][c] = rows[5][c].replace("+09:00", "-03:00")

    def in_utc(h, rows):
        for r in rows:
            for c in TIME_COLUMNS:
                if r.get(c):
                    r[c] = _utc(r[c])

    def moved_6km(h, rows):
        rows[4]["lat"] = f"{float(rows[4]['lat']) + 0.054:.6f}"

    def unknown_id(h, rows):
        rows[2]["merchant_id"] = "NOPE-404"

    def garbage_time(h, rows):
        rows[1]["arrival"] = "yesterday-ish"
        rows[1]["start"] = "2022-02-31T25:61:00+09:00"

    def deleted_columns(h, rows):
        return [c for c in h if c not in ("departure", "lat")]

    def deleted_id_column(h, rows):
        return [c for c in h if c != "merchant_id"]

    def swapped_stops(h, rows):
        rows[1]["stop"], rows[2]["stop"] = rows[2]["stop"], rows[1]["stop"]

    def duplicated_visit(h, rows):
        rows.insert(3, dict(rows[3]))

    def visit_twice_other_day(h, rows):
        other = next(r for r in rows if r["date"] != rows[0]["date"])
        rows[2]["merchant_id"] = other["merchant_id"]

    def staff_id_changed(h, rows):
        rows[3]["staff_id"] = rows[3]["staff_id"][:-3] + "999"

    def staff_id_garbage(h, rows):
        for r in first_day(rows):
            r["staff_id"] = "{{7*7}}"

    def date_changed(h, rows):
        rows[3]["date"] = "2022-02-09"

    def priority_edit(h, rows):
        rows[3]["service_s"] = "1"

    def summary_counts(folder: Path) -> None:
        data = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        data["planned"] += 3
        data["needing"] -= 1
        (folder / "summary.json").write_text(json.dumps(data), encoding="utf-8")

    def summary_not_json(folder: Path) -> None:
        (folder / "summary.json").write_text("{not json", encoding="utf-8")

    def summary_list(folder: Path) -> None:
        (folder / "summary.json").write_text("[1, 2]", encoding="utf-8")

    def summary_missing(folder: Path) -> None:
        (folder / "summary.json").unlink()

    def summary_settings_junk(folder: Path) -> None:
        data = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        data["settings"]["week"]["days"] = "many"
        data["week_start"] = "not a date"
        (folder / "summary.json").write_text(json.dumps(data), encoding="utf-8")

    def summary_district(folder: Path) -> None:
        data = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        data["district"] = "../../{{7*7}}"
        (folder / "summary.json").write_text(json.dumps(data), encoding="utf-8")

    def summary_deep(folder: Path) -> None:
        (folder / "summary.json").write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")

    def staff_id_path(h, rows):
        for r in first_day(rows):
            r["staff_id"] = "../../../escaped"

    def stop_numbers_huge(h, rows):
        rows[3]["stop"] = "1e300"

    def coordinates_nan(h, rows):
        rows[3]["lat"], rows[3]["lon"] = "nan", "inf"

    def output_folders_are_files(folder: Path) -> None:
        for name in ("maps", "sheets"):
            (folder / name).write_text("a file where a folder goes", encoding="utf-8")

    def routes_empty(folder: Path) -> None:
        (folder / "routes.csv").write_bytes(b"")

    def routes_header_only(folder: Path) -> None:
        header, _ = read_routes(folder)
        write_routes(folder, header, [])

    def routes_binary(folder: Path) -> None:
        (folder / "routes.csv").write_bytes(os.urandom(4096))

    def routes_missing(folder: Path) -> None:
        (folder / "routes.csv").unlink()

    def unassigned_binary(folder: Path) -> None:
        (folder / "unassigned.csv").write_bytes(b"\xff\xfe\x00" * 100)

    return {
        "departure_before_start": ("fail", rows_edit(departure_before_start)),
        "one_minute_service": ("fail", rows_edit(one_minute_service)),
        "back_office_1s_after": ("fail", rows_edit(back_office_early)),
        "offset_+09_to_-03": ("fail", rows_edit(offset_changed)),
        "same_instants_utc": ("pass", rows_edit(in_utc)),
        "stop_moved_6km": ("fail", rows_edit(moved_6km)),
        "unknown_merchant_id": ("fail", rows_edit(unknown_id)),
        "garbage_timestamps": ("fail", rows_edit(garbage_time)),
        "deleted_columns": ("fail", rows_edit(deleted_columns)),
        "deleted_id_column": ("fail", rows_edit(deleted_id_column)),
        "swapped_stops": ("fail", rows_edit(swapped_stops)),
        "duplicated_visit": ("fail", rows_edit(duplicated_visit)),
        "same_shop_two_days": ("fail", rows_edit(visit_twice_other_day)),
        "staff_id_changed": ("fail", rows_edit(staff_id_changed)),
        "staff_id_payload": ("fail", rows_edit(staff_id_garbage)),
        "date_changed": ("fail", rows_edit(date_changed)),
        "service_s_edited": ("fail", rows_edit(priority_edit)),
        "summary_counts_edited": ("fail", summary_counts),
        "summary_not_json": ("fail", summary_not_json),
        "summary_is_list": ("fail", summary_list),
        "summary_missing": ("fail", summary_missing),
        "summary_settings_junk": ("fail", summary_settings_junk),
        "summary_district_path": ("fail", summary_district),
        "summary_deep_nesting": ("fail", summary_deep),
        "staff_id_path": ("fail", rows_edit(staff_id_path)),
        "stop_number_huge": ("fail", rows_edit(stop_numbers_huge)),
        "coordinates_nan": ("fail", rows_edit(coordinates_nan)),
        "output_folders_are_files": ("pass", output_folders_are_files),
        "routes_empty": ("fail", routes_empty),
        "routes_header_only": ("fail", routes_header_only),
        "routes_binary": ("fail", routes_binary),
        "routes_missing": ("fail", routes_missing),
        "unassigned_binary": ("fail", unassigned_binary),
    }


# ----------------------------------------------------------------------------------- running
def build_cases(root: Path) -> tuple[list[Case], Path, Path, object]:
    """Write the corpus under ``root``; the cases, the marker path, the base plan folder and the campaign step.

    The campaign step (``prepare(root, run_cli)``) starts the campaign the roster, outcome, notices
    and page cases of ``benchmarks.hostile_field`` work on; it returns '' or why it failed.
    """
    inputs, outs = root / "inputs", root / "outs"
    inputs.mkdir(parents=True)
    outs.mkdir()
    marker = root / "MARKER"
    cases = []
    for name, path, valid, plannable in merchant_files(inputs, marker):
        t_out, p_out = outs / f"m-{name}-triage", outs / f"m-{name}-plan"
        rejects = t_out / f"{path.name.split('.')[0]}.rejects.csv"
        runs = [Run(["triage", str(path), "--out", str(t_out)], valid=valid, rejects=rejects)]
        if plannable:
            runs += [
                Run(["plan", str(path), "--out", str(p_out), "--district", "Jongno-gu", *FAST], valid=valid),
                Run(["map", str(p_out), "--merchants", str(path)], needs=p_out),
                Run(["sheets", str(p_out)], needs=p_out),
                Run(["verify", str(p_out), "--merchants", str(path)], expect="pass", needs=p_out),
            ]
        cases.append(Case(f"merchants/{name}", "merchants", runs, [t_out, p_out]))
    for name, path in boundary_files(inputs):
        t_out = outs / f"b-{name}"
        rejects = t_out / f"{SMALL.name.split('.')[0]}.rejects.csv"
        run = Run(["triage", str(SMALL), "--out", str(t_out), "--boundaries", str(path)], rejects=rejects)
        cases.append(Case(f"boundaries/{name}", "boundaries", [run], [t_out]))
    for name, text in SETTINGS.items():
        path = inputs / f"settings-{name}.toml"
        data = os.urandom(512) if text is None else text
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        p_out = outs / f"s-{name}"
        runs = [
            Run(["plan", str(SMALL), "--out", str(p_out), "--settings", str(path), *FAST]),
            Run(["verify", str(p_out), "--merchants", str(SMALL), "--settings", str(path)], needs=p_out),
        ]
        cases.append(Case(f"settings/{name}", "settings", runs, [p_out]))
    for name, args in OPTIONS.items():
        p_out = outs / f"o-{name}"
        run = Run(["plan", str(SMALL), "--out", str(p_out), *FAST, *args])
        cases.append(Case(f"options/{name}", "options", [run], [p_out]))
    base = outs / "base-plan"
    for name, (expect, _) in plan_edits().items():
        folder = outs / f"e-{name}"
        runs = [
            Run(["verify", str(folder), "--merchants", str(SMALL)], expect=expect),
            Run(["map", str(folder), "--merchants", str(SMALL)]),
            Run(["sheets", str(folder)]),
        ]
        cases.append(Case(f"plan-edit/{name}", "plan-edit", runs, [folder]))
    from benchmarks import hostile_field  # its cases use this module's corpus and classes

    field_cases, prepare = hostile_field.build(inputs, outs)
    return [*cases, *field_cases], marker, base, prepare


def run_cli(args: list[str]) -> tuple[int | None, str, float]:
    """Run the checkout's CLI; exit code (None on timeout), stdout+stderr and seconds."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100", "PLANNER_DEBUG": ""}
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-c", CLI, *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            timeout=TIMEOUT_S,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return None, "", time.monotonic() - started
    text = (done.stdout + done.stderr).decode("utf-8", "replace")
    return done.returncode, text, time.monotonic() - started


def judge(run: Run, code: int | None, text: str) -> tuple[str, str]:
    """Class of one run and, when BAD, why."""
    lines = [line for line in text.splitlines() if line.strip()]
    if code is None:
        return "BAD", f"hang over {TIMEOUT_S} s"
    if "Traceback" in text:
        return "BAD", "traceback: " + (lines[-1] if lines else "")[:150]
    if "internal error:" in text:  # the last-resort handler caught what no command expected
        return "BAD", (lines[-1] if lines else "")[:200]
    if code not in (0, 1):
        return "BAD", f"exit {code}: " + " | ".join(lines)[:200]
    if SEVEN.replace("{{7*7}}", "49") in text:
        return "BAD", "printed 49 for {{7*7}}"
    if run.expect == "fail":
        return ("CAUGHT", "") if code == 1 else ("BAD", "fault passes verify")
    if run.expect == "pass" and code != 0:
        return "BAD", "valid plan fails verify: " + " | ".join(lines)[:200]
    if code == 1:
        listed = lines[0].endswith(":") and all(line.startswith(" ") for line in lines[1:])
        return (
            ("ONE-LINE", "")
            if len(lines) == 1 or listed
            else ("BAD", f"{len(lines)} lines: " + " | ".join(lines)[:200])
        )
    read = re.search(rf"read ([\d,]+) {run.count}", text)
    if run.valid is not None and read and int(read.group(1).replace(",", "")) < run.valid:
        return "BAD", f"kept {read.group(1)} of {run.valid} valid rows"
    if run.rejects is not None and "rows rejected" in text and not run.rejects.is_file():
        return "BAD", f"rows rejected but no {run.rejects.name}"
    return "OK", ""


def scan_outputs(case: Case, marker: Path) -> str:
    """Why the files a case wrote show an evaluated payload, or ''."""
    csv.field_size_limit(sys.maxsize)  # outputs may quote a huge cell of the input
    if marker.exists():
        return "template payload created the marker file"
    for out in case.outs:
        if not out.exists():
            continue
        for path in out.rglob("*"):
            if not path.is_file() or path.suffix not in (".html", ".csv", ".json", ".svg"):
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            if "X49Y" in text:
                return f"{path.name}: 49 where {{{{7*7}}}} was"
            if path.suffix in (".html", ".svg") and (SCRIPT in text or IMG in text):
                return f"{path.name}: raw script payload"
            if path.suffix == ".csv":
                for row in csv.reader(text.splitlines()):
                    if any(cell.startswith(f) for cell in row for f in FORMULAS):
                        return f"{path.name}: formula cell not quoted"
    return ""


def run_case(case: Case, marker: Path) -> Result:
    """Run a case's commands in order: its class is its first command's, or BAD if any run is."""
    klass, why, seconds = "OK" if not case.runs else "", "", 0.0
    for run in case.runs:
        if run.needs is not None and not (run.needs / "summary.json").is_file():
            continue
        code, text, took = run_cli(run.args)
        seconds += took
        got, reason = judge(run, code, text)
        klass = klass or got
        if got == "BAD":
            klass, why = "BAD", f"{run.args[0]}: {reason}"
            break
    scanned = scan_outputs(case, marker)
    if scanned and klass != "BAD":
        klass, why = "BAD", scanned
    return Result(case, klass, why, seconds)


def main(argv: list[str] | None = None) -> int:
    """Build the corpus, run every case, print the table; 1 if any case is BAD."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="Folder for the corpus and outputs.")
    parser.add_argument("--jobs", type=int, default=2, help="Cases run at once.")
    parser.add_argument(
        "--only", default="", help="Run only cases whose name contains one of these (comma-separated)."
    )
    args = parser.parse_args(argv)
    if args.out.exists():
        shutil.rmtree(args.out)
    cases, marker, base, prepare = build_cases(args.out)
    started = time.monotonic()
    code, text, _ = run_cli(["plan", str(SMALL), "--out", str(base), *FAST])
    if code != 0:
        print(f"the base plan failed (exit {code}):\n{text}")
        return 1
    failed = prepare(args.out, run_cli)
    if failed:
        print(f"the base campaign failed: {failed}")
        return 1
    for name, (_, edit) in plan_edits().items():
        folder = args.out / "outs" / f"e-{name}"
        shutil.copytree(base, folder)
        edit(folder)
    cases = [c for c in cases if any(part in c.name for part in args.only.split(","))]
    with ThreadPoolExecutor(args.jobs) as pool:
        results = []
        width = max(len(c.name) for c in cases)
        for r in pool.map(lambda c: run_case(c, marker), cases):  # printed as they end, in order
            print(f"{r.case.name:<{width}}  {r.klass:<8}  {r.seconds:5.1f}s  {r.why}", flush=True)
            results.append(r)
    counts = Counter((r.case.group, r.klass) for r in results)
    groups = sorted({r.case.group for r in results})
    print()
    print(f"{'group':<10}" + "".join(f"{k:>10}" for k in CLASSES) + f"{'total':>10}")
    for g in [*groups, "all"]:
        row = [
            sum(n for (gg, k), n in counts.items() if k == klass and g in (gg, "all")) for klass in CLASSES
        ]
        print(f"{g:<10}" + "".join(f"{n:>10}" for n in row) + f"{sum(row):>10}")
    print(f"\n{len(results)} cases in {time.monotonic() - started:.0f} s; corpus in {args.out}")
    return 1 if any(r.klass == "BAD" for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
