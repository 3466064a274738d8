"""Hostile rosters, outcome files, campaign corrections, notices and pages for ``benchmarks.hostile``.

The cases here need a running campaign: ``prepare`` starts one from merchants with payload names,
exports its plan with sheets, notices and kits, then writes each case's files and store copy.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from pathlib import Path

from benchmarks.hostile import FORMULAS, HEADER, IMG, ROWS, SCRIPT, SEVEN, SMALL, Case, Run, csv_text, shop

ROSTER_HEADER = ["staff_id", "name", "team", "district", "availability", "start", "end", "mode", "lunch"]
FAST = ["--time-limit", "0.2", "--improve-time", "0"]
STORE = "campaign.sqlite"


def person(sid: str, **cells: str) -> list[str]:
    """A valid Jongno roster row with ``cells`` replaced."""
    row = dict.fromkeys(ROSTER_HEADER, "")
    row.update(staff_id=sid, name=f"person {sid}", team="A", district="Jongno-gu")
    row.update(availability="Mo-Fr 09:00-18:00", start="office", end="office", mode="walk", lunch="yes")
    row.update(cells)
    return [row[c] for c in ROSTER_HEADER]


def roster_files(d: Path) -> list[tuple[str, Path, int | None]]:
    """Hostile roster files: (name, path, people that must be kept or None)."""
    people = [person(f"S{i:02d}") for i in range(6)]
    n = len(people)
    files: list[tuple[str, Path, int | None]] = []

    def put(name: str, data: bytes | str, valid: int | None) -> None:
        path = d / f"roster-{name}.csv"
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        files.append((name, path, valid))

    good = csv_text(people, ROSTER_HEADER)
    korean = csv_text([person("K1", name="김민수", team="현장1팀", district="종로구")], ROSTER_HEADER)
    put("utf8", good, n)
    put("utf8_bom", "\ufeff" + good, n)
    put("cp949", korean.encode("cp949"), 1)
    put("utf16", korean.encode("utf-16"), None)
    put(
        "korean_headers",
        csv_text(people, ["사번", "이름", "팀", "구", "근무시간", "출발", "도착", "교통", "점심"]),
        n,
    )
    put("huge_cell", csv_text([*people, person("H1", name="A" * 2_000_000)], ROSTER_HEADER), n)
    put("nul_cell", good + "N1,per\x00son,A,Jongno-gu,,,,,\r\n", n)
    payload_rows = [
        person("P1", name=SEVEN, team=SCRIPT),
        person("P2", name=IMG, team="{% for x in range(3) %}L{% endfor %}"),
        person("P3", name=FORMULAS[0], team=FORMULAS[1]),
        person("P4", name=FORMULAS[2], team=FORMULAS[3], district=""),
        person("{{7*7}}", district=""),
        person("=1+1", district=""),
    ]
    put("payloads", csv_text([*people, *payload_rows], ROSTER_HEADER), n + len(payload_rows))
    pool = [
        person(p[0], name=p[1], team=p[2], district="", availability="Mo-Su 09:00-22:00")
        for p in payload_rows
    ]
    put("pool_payloads", csv_text(pool, ROSTER_HEADER), len(pool))
    put("duplicate_ids", csv_text([*people, *people[:3]], ROSTER_HEADER), n)
    put("id_control_chars", csv_text([*people, person("C\x01D"), person("E\x1bF")], ROSTER_HEADER), n)
    availability = [
        person("A1", availability="24/7"),
        person("A2", availability="whenever"),
        person("A3", availability="Mo-Su off"),
        person("A4", availability="Mo-Su 25:00-26:00"),
        person("A5", availability="(((((((((((((((((((("),
        person("A6", availability="Mo-Fr 09:00-18:00" * 3000),
        person("A7", availability="Mo-Su 22:00-02:00"),
    ]
    put("availability", csv_text([*people, *availability], ROSTER_HEADER), n)
    starts = [
        person("T1", start="35.1796,129.0756"),  # Busan
        person("T2", start="126.978,37.5665"),  # swapped
        person("T3", start="37.5665,126.978,5"),  # extra comma
        person("T4", start="37.5665 126.978"),
        person("T5", start="nan,nan"),
        person("T6", start="1e308,1e308"),
        person("T7", start="37.5665," + "9" * 5000),
        person("T8", start="", end="somewhere"),
    ]
    put("starts", csv_text([*people, *starts], ROSTER_HEADER), n)
    words = [
        person("W1", mode="bicycle", lunch="maybe"),
        person("W2", mode="도보", lunch="아니오"),
        person("W3", mode="TRANSIT", lunch="NO"),
        person("W4", mode="헬리콥터", lunch="점심없음"),
        person("W5", mode="car\u200b", lunch="1"),
    ]
    put("modes_and_lunch", csv_text([*people, *words], ROSTER_HEADER), n + 2)
    put(
        "districts",
        csv_text(
            [*people, person("D1", district="Atlantis-gu"), person("D2", district="11110")], ROSTER_HEADER
        ),
        n + 1,
    )
    put("header_only", ",".join(ROSTER_HEADER) + "\r\n", None)
    put("no_staff_id", csv_text(people, ["id_number", *ROSTER_HEADER[1:]]), None)
    put("empty", b"", None)
    put("binary", bytes(range(256)) * 32, None)
    put("cr_only", good.replace("\r\n", "\r"), None)
    put("many_rows", csv_text([person(f"M{i:06d}") for i in range(100_000)], ROSTER_HEADER), 100_000)
    return files


def campaign_add_files(d: Path) -> list[tuple[str, Path, int | None]]:
    """Hostile ``campaign add`` files: (name, path, valid rows to keep or None)."""
    header = [*HEADER, "available_from"]
    files: list[tuple[str, Path, int | None]] = []

    def put(name: str, rows: list[list[str]], valid: int | None) -> None:
        path = d / f"add-{name}.csv"
        path.write_text(csv_text(rows, header), encoding="utf-8")
        files.append((name, path, valid))

    def row(mid: str, available: str = "", **cells: str) -> list[str]:
        return [*shop(mid, **cells), available]

    put("control_ids", [row("N1"), row("N\x012"), row("N\x1b3"), row("N\u202e4"), row("N\r5")], None)
    put(
        "moved_outside",
        [row(ROWS[0][0], lat="35.1796", lon="129.0756"), row(ROWS[1][0], lat="0", lon="0"), row("NEW1")],
        None,
    )
    far = [
        "9999-12-31",
        "0001-01-01",
        "2100-01-01",
        "1900-01-01",
        "2022-02-08T25:00",
        "2022-02-08T10:00+14:00",
        "2022-02-08T10:00-12:00",
        "2022-02-08T10:00Z",
        "2022-02-08 10:00:00.5",
        "tomorrow",
        "1e9",
        "2022-02-30",
    ]
    put("available_from", [row(f"F{i:02d}", when) for i, when in enumerate(far)], None)
    put("known_shops_later", [row(r[0], "2022-02-09T15:00") for r in ROWS[:5]], None)
    put(
        "payload_names",
        [row("PX1", name=SEVEN, address=SCRIPT), row("PX2", name=FORMULAS[0], address=IMG)],
        2,
    )
    return files


def outcome_edits() -> dict[
    str, Callable[[list[str], list[list[str]]], tuple[list[str], list[list[str]]] | bytes]
]:
    """Edits of a filled-in outcome sheet: name -> edit(header, rows) giving a new header and rows, or bytes."""

    def filled(h, rows):
        for r in rows:
            r[h.index("outcome")], r[h.index("time")] = "설치", "10:30"
        return h, rows

    def edit(fn):
        def run(h, rows):
            h, rows = filled(h, rows)
            return fn(h, rows) or (h, rows)

        return run

    def wrong_columns(h, rows):
        return ["shop", "worker", "day", "result"], [r[:4] for r in rows]

    def unknown_words(h, rows):
        rows[0][h.index("outcome")] = "maybe tomorrow"
        rows[1][h.index("outcome")] = "{{7*7}}"

    def times_other_days(h, rows):
        rows[0][h.index("time")] = "2022-02-09 10:30"
        rows[1][h.index("time")] = "2099-01-01T10:00+09:00"
        rows[2][h.index("date")] = "2022-02-19"

    def garbage_times(h, rows):
        rows[0][h.index("time")] = "25:61"
        rows[1][h.index("time")] = "half past ten"
        rows[2][h.index("time")] = "10:30" * 1000

    def blank_rows(h, rows):
        return h, [r if i % 2 else [""] * len(r) for i, r in enumerate(rows)]

    def formulas(h, rows):
        rows[0][h.index("note")] = FORMULAS[0]
        rows[1][h.index("note")] = FORMULAS[1]
        rows[2][h.index("outcome")] = "=" + "설치"
        rows[3][h.index("note")] = SCRIPT

    def unknown_ids(h, rows):
        rows[0][h.index("merchant_id")] = "NOPE-404"
        rows[1][h.index("staff_id")] = "{{7*7}}"

    def control_ids(h, rows):
        rows[0][h.index("merchant_id")] += "\x00"
        rows[1][h.index("staff_id")] += "\x1b[31m"

    def huge_note(h, rows):
        rows[0][h.index("note")] = "메모" * 500_000

    def duplicated(h, rows):
        return h, rows + rows

    def conflicting(h, rows):
        other = list(rows[0])
        other[h.index("outcome")] = "closed"
        return h, [*rows, other]

    def extra_columns(h, rows):
        return [*h, "note", "extra"], [[*r, "n2", "x"] for r in rows]

    def text(fn):
        def run(h, rows):
            h, rows = filled(h, rows)
            return fn(csv_text(rows, h))

        return run

    def giant(h, rows):
        h, rows = filled(h, rows)
        return csv_text(rows * 20_000, h).encode("utf-8")

    return {
        "filled_in": edit(lambda h, rows: None),
        "wrong_columns": edit(wrong_columns),
        "unknown_words": edit(unknown_words),
        "times_other_days": edit(times_other_days),
        "garbage_times": edit(garbage_times),
        "blank_rows": edit(blank_rows),
        "formula_cells": edit(formulas),
        "ids_not_in_store": edit(unknown_ids),
        "control_ids": edit(control_ids),
        "huge_note": edit(huge_note),
        "imported_twice_in_file": edit(duplicated),
        "conflicting_rows": edit(conflicting),
        "extra_columns": edit(extra_columns),
        "cr_only": text(lambda t: t.replace("\r\n", "\r").encode("utf-8")),
        "lf_only": text(lambda t: t.replace("\r\n", "\n").encode("utf-8")),
        "cp949": text(lambda t: t.encode("cp949")),
        "utf16": text(lambda t: t.encode("utf-16")),
        "nul_bytes": text(lambda t: t.replace(",", ",\x00", 3).encode("utf-8")),
        "binary": text(lambda t: bytes(range(256)) * 64),
        "empty": text(lambda t: b""),
        "giant": giant,
    }


def notices_edits() -> dict[str, tuple[str, Callable[[list[str], list[list[str]]], object]]]:
    """Hand edits of a plan's notices.csv: name -> (what verify must do, edit(header, rows))."""

    def col(h, name):
        return h.index(name)

    def moved_window(h, rows):
        rows[0][col(h, "promise_from")], rows[0][col(h, "promise_to")] = "05:00", "05:30"

    def inverted(h, rows):
        rows[0][col(h, "promise_from")], rows[0][col(h, "promise_to")] = "18:00", "09:00"

    def garbage_time(h, rows):
        rows[0][col(h, "promise_from")] = "half past nine"

    def hour_25(h, rows):
        rows[0][col(h, "promise_to")] = "25:00"

    def far_dates(h, rows):
        rows[0][col(h, "date")] = "9999-12-31"
        rows[1][col(h, "date")] = "0001-01-01"

    def bad_date(h, rows):
        rows[0][col(h, "date")] = "2022-02-30"

    def unknown_id(h, rows):
        rows[0][col(h, "merchant_id")] = "NOPE-404"

    def formula(h, rows):
        rows[0][col(h, "merchant_id")] = FORMULAS[0]

    def drop_column(h, rows):
        i = col(h, "promise_to")
        for r in rows:
            del r[i]
        del h[i]

    def blank_row(h, rows):
        rows.insert(1, [""] * len(h))

    def wide(h, rows):
        rows[0][col(h, "promise_from")], rows[0][col(h, "promise_to")] = "00:00", "24:00"

    return {
        "window_moved": ("fail", moved_window),
        "window_inverted": ("fail", inverted),
        "garbage_time": ("fail", garbage_time),
        "hour_25": ("fail", hour_25),
        "far_dates": ("fail", far_dates),
        "bad_date": ("fail", bad_date),
        "unknown_id": ("fail", unknown_id),
        "formula_id": ("fail", formula),
        "column_deleted": ("fail", drop_column),
        "blank_row": ("clean", blank_row),
        "whole_day": ("pass", wide),
    }


PAGE_RUNS = {
    "sheets_en": ["sheets", "{F}", "--lang", "en"],
    "sheets_lang_junk": ["sheets", "{F}", "--lang", "{{7*7}}"],
    "sheets_date_junk": ["sheets", "{F}", "--date", "2022-13-45"],
    "sheets_date_outside": ["sheets", "{F}", "--date", "1999-01-01"],
    "kits": ["kits", "{F}", "--out", "{O}"],
    "kits_day_99": ["kits", "{F}", "--out", "{O}", "--day", "99"],
    "kits_day_neg": ["kits", "{F}", "--out", "{O}", "--day", "-1"],
    "kits_date_junk": ["kits", "{F}", "--out", "{O}", "--date", "soon"],
    "notices_window_0": ["notices", "{F}", "--window-min", "0"],
    "notices_window_neg": ["notices", "{F}", "--window-min", "-30"],
    "notices_window_huge": ["notices", "{F}", "--window-min", "100000000"],
    "notices_store_missing": ["notices", "{F}", "--store", "{O}/none.sqlite"],
    "notices_out": ["notices", "{F}", "--out", "{O}/all.csv"],
    "map_tiles_script": ["map", "{F}", "--tiles", "https://t.example/{z}/{x}/{y}.png" + SCRIPT],
    "map_tiles_js_url": ["map", "{F}", "--tiles", "javascript:alert(1)//{z}/{x}/{y}"],
    "map_tiles_no_placeholders": ["map", "{F}", "--tiles", "{{7*7}}"],
    "map_tiles_none": ["map", "{F}", "--tiles", "none"],
    "map_boundaries_payload": ["map", "{F}", "--boundaries", "{B}"],
}


def build(inputs: Path, outs: Path) -> tuple[list[Case], Callable[[Path, Callable], str]]:
    """The cases of the new inputs and the step that prepares their campaign once the corpus is written."""
    cases: list[Case] = []
    for name, path, valid in roster_files(inputs):
        out = outs / f"r-{name}"
        runs = [
            # --out names the rejects' folder for --roster too (else the current folder)
            Run(
                ["staffing", str(SMALL), "--roster", str(path), "--out", str(out / "x.csv")],
                valid=valid,
                count="people",
            ),
            Run(
                ["staffing", str(SMALL), "--pool", str(path), "--out", str(out / "pool.csv")],
                valid=valid,
                count="people",
            ),
        ]
        cases.append(Case(f"roster/{name}", "roster", runs, [out]))
    out = outs / "r-roster_out"
    run = Run(["staffing", str(SMALL), "--days", "3", *FAST, "--roster-out", str(out / "roster.csv")])
    cases.append(Case("roster/roster_out", "roster", [run], [out]))

    camp = outs / "campaign"
    for name in outcome_edits():
        folder = outs / f"oc-{name}"
        runs = [
            Run(["outcomes", "import", str(inputs / f"outcomes-{name}.csv"), "--store", str(folder / STORE)]),
            Run(["status", "--store", str(folder / STORE)]),
        ]
        cases.append(Case(f"outcomes/{name}", "outcomes", runs, [folder]))
    for name, path, valid in campaign_add_files(inputs):
        folder = outs / f"ca-{name}"
        folder.mkdir()
        store = str(folder / STORE)
        runs = [
            Run(["campaign", "add", str(path), "--store", store, "--out", str(folder)], valid=valid),
            Run(["replan", "--store", store, "--out", str(folder / "plan")]),
            Run(["status", "--store", store]),
        ]
        cases.append(Case(f"campaign-add/{name}", "campaign", runs, [folder]))
    for name, (expect, _) in notices_edits().items():
        folder = outs / f"nt-{name}"
        runs = [Run(["verify", str(folder)], expect=expect)]
        cases.append(Case(f"notices-edit/{name}", "notices", runs))  # its notices.csv holds the edit
    boundaries = inputs / "boundaries-map_payloads.geojson"
    boundaries.write_text(_payload_outlines(), encoding="utf-8")
    for name, args in PAGE_RUNS.items():
        folder, out = outs / f"pg-{name}", outs / f"pg-{name}-out"
        filled = [
            a.replace("{F}", str(folder)).replace("{O}", str(out)).replace("{B}", str(boundaries))
            for a in args
        ]
        cases.append(Case(f"pages/{name}", "pages", [Run(filled)], [folder, out]))
    cases.append(Case("pages/campaign_export", "pages", [], [camp]))

    def prepare(root: Path, run_cli: Callable) -> str:
        return _prepare(inputs, outs, camp, run_cli)

    return cases, prepare


def _payload_outlines() -> str:
    """Jongno's outline with payloads in its other properties, and a polygon of an unknown name."""
    ring = [[126.90, 37.50], [127.10, 37.50], [127.10, 37.70], [126.90, 37.70], [126.90, 37.50]]
    small = [[126.95, 37.55], [126.96, 37.55], [126.96, 37.56], [126.95, 37.55]]

    def feature(props: dict, coordinates: list) -> dict:
        return {
            "type": "Feature",
            "properties": props,
            "geometry": {"type": "Polygon", "coordinates": [coordinates]},
        }

    features = [
        feature({"name": "Jongno-gu", "dong": SCRIPT, "label": SEVEN, "note": IMG}, ring),
        feature({"name": SEVEN, "dong": FORMULAS[0]}, small),
    ]
    return json.dumps({"type": "FeatureCollection", "features": features})


def _prepare(inputs: Path, outs: Path, camp: Path, run_cli: Callable) -> str:
    """Start the payload campaign and copy it for each case; '' or why it failed."""
    merchants = inputs / "campaign-merchants.csv"
    payloads = [
        shop("Q1", name=SEVEN, address=SCRIPT),
        shop("Q2", name=IMG, address=FORMULAS[0]),
        shop("Q3", name=FORMULAS[1], address=FORMULAS[2]),
        shop("Q4", name="{% for x in range(3) %}L{% endfor %}", address=FORMULAS[3]),
    ]
    merchants.write_text(csv_text([*ROWS, *payloads]), encoding="utf-8")
    camp.mkdir()
    store = camp / STORE
    export = camp / "export"
    steps = [
        ["campaign", "init", str(merchants), "--store", str(store), "--staff", "2", "--days", "3", *FAST],
        ["campaign", "export-plan", "--store", str(store), "--out", str(export)],
    ]
    for args in steps:
        code, text, _ = run_cli(args)
        if code != 0:
            return f"{' '.join(args[:2])} failed (exit {code}): {text}"
    folder = next(p.parent for p in export.rglob("summary.json"))
    for args in (
        ["sheets", str(folder)],
        ["notices", str(folder), "--store", str(store)],
        ["kits", str(folder), "--out", str(camp / "kits")],
    ):
        code, text, _ = run_cli(args)
        if code != 0:
            return f"{args[0]} failed (exit {code}): {text}"
    sheet = sorted((folder / "sheets").glob("*.csv"))[0]
    header, rows = _read(sheet)
    for name, edit in outcome_edits().items():
        target = outs / f"oc-{name}"
        target.mkdir()
        shutil.copy(store, target / STORE)
        done = edit(list(header), [list(r) for r in rows])
        data = done if isinstance(done, bytes) else csv_text(done[1], done[0]).encode("utf-8")
        (inputs / f"outcomes-{name}.csv").write_bytes(data)
    for target in outs.glob("ca-*"):
        shutil.copy(store, target / STORE)
    n_header, n_rows = _read(folder / "notices.csv")
    for name, (_, edit) in notices_edits().items():
        target = outs / f"nt-{name}"
        shutil.copytree(folder, target)
        h, rows = list(n_header), [list(r) for r in n_rows]
        edit(h, rows)
        (target / "notices.csv").write_text(csv_text(rows, h), encoding="utf-8")
    for name in PAGE_RUNS:
        shutil.copytree(folder, outs / f"pg-{name}")
    return ""


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]
