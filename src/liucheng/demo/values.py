"""Realistic field values for demo forms: ID numbers, mobiles, bank cards, names, addresses,
companies and amounts, all drawn from a seeded random source.

ID numbers carry a valid check character and bank cards a valid Luhn digit, so they pass
the templates' validators.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from liucheng.demo.organisation import GIVEN, SURNAMES
from liucheng.rules.validators import id_check_char


def id_number(rng: random.Random, first_year: int, last_year: int) -> str:
    born = date(first_year, 1, 1) + timedelta(days=rng.randrange((last_year - first_year) * 365))
    first17 = rng.choice(["370102", "370203", "371002", "370602"]) + born.strftime(
        "%Y%m%d") + f"{rng.randrange(1000):03d}"
    return first17 + id_check_char(first17)


def mobile(rng: random.Random) -> str:
    return rng.choice(["138", "139", "150", "158", "186", "133", "177"]) + "".join(
        str(rng.randrange(10)) for _ in range(8))


def bank_card(rng: random.Random) -> str:
    digits = [int(d) for d in "622202" + "".join(str(rng.randrange(10)) for _ in range(12))]
    total = sum((d * 2 - 9 if d * 2 > 9 else d * 2) if i % 2 == 0 else d
                for i, d in enumerate(reversed(digits)))
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES)[0] + rng.choice(GIVEN)[0]


STREETS = ["泉城路", "经十路", "解放路", "历山路", "和平路", "文化东路", "山大路", "二环南路"]
COMPANIES = ["济南重工机械", "青岛海港物流", "淄博华联化工", "潍坊万通农机", "烟台东方建材",
             "临沂鲁南商贸", "济宁运河装备", "德州金源纺织"]


def address(rng: random.Random) -> str:
    return (f"济南市{rng.choice(['历下区', '市中区', '槐荫区', '天桥区'])}"
            f"{rng.choice(STREETS)}{rng.randrange(1, 300)}号{rng.randrange(1, 30)}单元")


def amount(rng: random.Random, median: float, spread: float = 0.8, step: int = 100) -> int:
    return max(step, int(rng.lognormvariate(0, spread) * median / step) * step)
