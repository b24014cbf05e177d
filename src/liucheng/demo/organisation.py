"""The demo organisation: how many people hold each role, and their names.

Every role of every shipped template is staffed; a bottleneck role is thinly staffed on
purpose. Users get pinyin ids such as `zhang.wei` and Chinese display names, drawn from the
seeded random source so the same seed gives the same people.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from liucheng.runtime import Engine

# How many people hold each role; a bottleneck role is thinly staffed.
STAFF: dict[str, int] = {
    "sales_rep": 4, "finance": 2, "sales_manager": 1,
    "staff": 0, "loan_officer": 3, "assistant_reviewer": 2, "office_assistant": 1,
    "contract_checker": 2, "supervisor": 1, "cashier": 2,
    "management_unit": 4, "agency_clerk": 3, "retiree_section": 2, "finance_section": 1,
    "director": 1,
    "bank_icbc": 1, "bank_abc": 1, "bank_qilu": 1, "bank_bocom": 1, "bank_cib": 1,
    "bank_citic": 1, "bank_cmbc": 1, "bank_ceb": 1, "bank_hxb": 1, "bank_weihai": 1,
    "dealer_rep": 4, "dealer_credit": 2, "dealer_manager": 1, "field_officer": 2,
    "head_office": 1,
    "resident_in_chief": 4, "head_nurse": 1, "circulating_nurse": 5, "anaesthesia": 1,
    "ward_nurse": 3, "surgeon": 4, "anaesthetist": 3, "charge_checker": 1,
    "employee": 12, "dept_manager": 3, "deputy_gm": 1, "general_manager": 1, "hr": 1,
    "engineer": 3, "chief_engineer": 1, "production": 1, "quality": 1, "purchasing": 1,
    "document_control": 1,
}
LENDING_STAFF = ("loan_officer", "assistant_reviewer", "office_assistant", "contract_checker",
                 "supervisor", "cashier")  # everyone at the lender is in the reception pool

SURNAMES = [("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"),
            ("杨", "yang"), ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"),
            ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu"), ("胡", "hu"),
            ("郭", "guo"), ("何", "he"), ("高", "gao"), ("林", "lin"), ("罗", "luo"),
            ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"), ("唐", "tang"),
            ("韩", "han"), ("冯", "feng"), ("于", "yu"), ("董", "dong"), ("曹", "cao")]
GIVEN = [("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"),
         ("丽", "li"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"),
         ("勇", "yong"), ("艳", "yan"), ("杰", "jie"), ("娟", "juan"), ("涛", "tao"),
         ("明", "ming"), ("超", "chao"), ("秀英", "xiuying"), ("霞", "xia"), ("平", "ping"),
         ("刚", "gang"), ("桂英", "guiying"), ("建国", "jianguo"), ("建华", "jianhua"),
         ("志强", "zhiqiang"), ("海燕", "haiyan"), ("晓东", "xiaodong"), ("婷", "ting"),
         ("雪", "xue"), ("鹏", "peng"), ("玉兰", "yulan"), ("红梅", "hongmei")]


def people(rng: random.Random) -> list[tuple[str, str, list[str]]]:
    """(user id, Chinese name, roles) for the demo organisation."""
    out: list[tuple[str, str, list[str]]] = []
    taken: set[str] = set()
    for role, count in STAFF.items():
        for _ in range(count):
            (sur, sur_py), (given, given_py) = rng.choice(SURNAMES), rng.choice(GIVEN)
            base = f"{sur_py}.{given_py}"
            user, n = base, 1
            while user in taken:
                n += 1
                user = f"{base}{n}"
            taken.add(user)
            roles = [role, "staff"] if role in LENDING_STAFF else [role]
            out.append((user, sur + given, roles))
    return out


def add_people(engine: Engine, rng: random.Random) -> dict[str, list[str]]:
    """Add the demo organisation to `engine`; returns the user ids holding each role."""
    members: dict[str, list[str]] = {}
    for user, name, roles in people(rng):
        engine.add_user(user, name, roles=roles)
        for role in roles:
            members.setdefault(role, []).append(user)
    return members
