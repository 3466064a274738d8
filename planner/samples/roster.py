"""Generate a deterministic sample roster: district officials, the card companies' pool, evening people."""

from __future__ import annotations

import numpy as np

from planner.geo.districts import District
from planner.io.people import Person

SURNAMES = ("김", "이", "박", "최", "정", "강", "조", "윤", "장", "임")
GIVEN_NAMES = ("민준", "서연", "도윤", "지우", "하준", "서윤", "예준", "지민", "시우", "수아")
CARD_TEAMS = ("신한카드", "KB국민카드", "삼성카드", "현대카드")
WEEKDAYS = "Mo-Fr 09:00-18:00"
SATURDAY = "Sa 10:00-15:00"
EVENING = "Mo-Sa 17:00-22:00"


def generate_roster(
    districts: list[District],
    per_district: int = 2,
    pool: int = 4,
    saturday: int = 2,
    evening: int = 2,
    seed: int = 0,
) -> list[Person]:
    """A roster like the campaign's: district officials and a shared pool of card-company staff.

    Each district has ``per_district`` officials working weekdays from and back to their office
    on foot; the pool has ``pool`` weekday people and ``saturday`` Saturday-only people going by
    transit from their first shop to their last, and ``evening`` evening people without a lunch
    break. Pool people have a blank district.

    Parameters
    ----------
    districts
        The districts whose officials are on the roster.
    per_district, pool, saturday, evening
        How many people of each kind.
    seed
        Same seed, same names.

    Returns
    -------
    list of Person
        Officials district by district (``<code>-G01``), then the pool (``POOL-001``, ...).
    """
    rng = np.random.default_rng(seed)

    def name() -> str:
        return str(rng.choice(SURNAMES)) + str(rng.choice(GIVEN_NAMES))

    people = [
        Person(f"{d.code}-G{k:02d}", name(), d.name_ko, d.name_en, WEEKDAYS, "office", "office", "walk", True)
        for d in districts
        for k in range(1, per_district + 1)
    ]
    kinds = [WEEKDAYS] * pool + [SATURDAY] * saturday + [EVENING] * evening
    for k, hours in enumerate(kinds, start=1):
        team = str(rng.choice(CARD_TEAMS))
        people.append(
            Person(
                f"POOL-{k:03d}",
                name(),
                team,
                None,
                hours,
                "first_shop",
                "last_shop",
                "transit",
                hours != EVENING,
            )
        )
    return people
