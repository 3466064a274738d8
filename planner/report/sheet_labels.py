"""The words printed on route sheets, in Korean (the default) and English."""

from __future__ import annotations

from planner.campaign.outcome_file import OUTCOME_WORDS
from planner.errors import InputError

LANGUAGES = ("ko", "en")
# The outcome word printed for each outcome: the first Korean one, or the English one.
_KOREAN_WORD = {o: next(w for w in words if not w.isascii()) for o, words in OUTCOME_WORDS.items()}

LABELS = {
    "ko": {
        "sheet": "경로표",
        "sheets": "경로표",
        "all_sheets": "모든 경로표",
        "date": "날짜",
        "worker": "담당",
        "shops": "가게",
        "office": "구청",
        "start": "출발",
        "end": "도착",
        "first_shop": "첫 가게",
        "last_shop": "마지막 가게",
        "leave": "출발",
        "back": "복귀",
        "done": "종료",
        "travel": "이동",
        "at_shops": "가게에서",
        "min": "분",
        "planned": "예정",
        "shop": "상호 · 주소",
        "hours": "영업시간",
        "next": "다음",
        "outcome": "결과",
        "time": "시각",
        "note": "메모",
        "lunch": "점심",
        "to_office": "구청까지",
        "map": "지도에서 열기",
        "print": "인쇄용",
        "phone": "휴대폰",
        "outcome_file": "결과 파일",
        "fill_in": "결과에 적을 말: {words}. 못 간 가게는 비워 두세요.",
        "planned_of": "{planned}/{needing} 가게 계획, 미배정 {unassigned}, 작업일 {staff_days}",
        "walk": "도보",
        "transit": "대중교통",
        "car": "차량",
    },
    "en": {
        "sheet": "Route sheet",
        "sheets": "Route sheets",
        "all_sheets": "all route sheets",
        "date": "Date",
        "worker": "Worker",
        "shops": "shops",
        "office": "district office",
        "start": "start",
        "end": "end",
        "first_shop": "the first shop",
        "last_shop": "the last shop",
        "leave": "leave office",
        "back": "back",
        "done": "done",
        "travel": "travel",
        "at_shops": "at shops",
        "min": "min",
        "planned": "Planned",
        "shop": "Shop · address",
        "hours": "Opening hours",
        "next": "Next",
        "outcome": "Outcome",
        "time": "Time",
        "note": "Note",
        "lunch": "Lunch",
        "to_office": "to the office",
        "map": "open in maps",
        "print": "print",
        "phone": "phone",
        "outcome_file": "outcome file",
        "fill_in": "Outcome words: {words}. Leave it blank for a shop not visited.",
        "planned_of": "{planned} of {needing} shops planned, {unassigned} unassigned, {staff_days} worker-days",
        "walk": "walk",
        "transit": "transit",
        "car": "car",
    },
}


def sheet_labels(lang: str) -> dict[str, str]:
    """The words of the route sheets in ``lang``, the outcome words to write included.

    Parameters
    ----------
    lang
        ``"ko"`` or ``"en"``.

    Returns
    -------
    dict
        Label by key (``LABELS``), with ``fill_in`` listing the outcome words of the language.

    Raises
    ------
    InputError
        If ``lang`` is not one of ``LANGUAGES``.
    """
    if lang not in LABELS:
        raise InputError(f"--lang {lang!r}: route sheets are written in {' or '.join(LANGUAGES)}")
    words = _KOREAN_WORD.values() if lang == "ko" else OUTCOME_WORDS.keys()
    labels = dict(LABELS[lang])
    labels["fill_in"] = labels["fill_in"].format(words=" · ".join(words))
    return labels
