"""The demo organisation: how many people hold each role, their names, and where they work.

Every role of every shipped template is staffed; a bottleneck role is thinly staffed on
purpose. Users get pinyin ids such as `zhang.wei` and Chinese display names, drawn from the
seeded random source so the same seed gives the same people. The parties of the catalogue
are organisations of their own — the dealer and the finance company, the mortgage lender,
the hospital with its departments, the social-insurance agency, the employers that file
with it and each paying bank; the company of the office processes is the default one.
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa

from liucheng.storage.tables import accounts, departments, organisations, user_roles

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
# organisation id → (zh, en, {department id: (zh, en, roles, leader role)})
Departments = dict[str, tuple[str, str, tuple[str, ...], str | None]]
BANKS = {"icbc": ("工商银行", "ICBC"), "abc": ("农业银行", "ABC"),
         "qilu": ("齐鲁银行", "Qilu Bank"),
         "bocom": ("交通银行", "Bank of Communications"), "cib": ("兴业银行", "Industrial Bank"),
         "citic": ("中信银行", "CITIC Bank"), "cmbc": ("民生银行", "Minsheng Bank"),
         "ceb": ("光大银行", "Everbright Bank"), "hxb": ("华夏银行", "Huaxia Bank"),
         "weihai": ("威海银行", "Weihai Bank")}
ORGANISATIONS: dict[str, tuple[str, str, Departments]] = {
    "dealer": ("经销商", "Dealers", {
        "dealer_sales": ("销售与信贷", "Sales and credit",
                         ("dealer_rep", "dealer_credit", "dealer_manager"), "dealer_manager")}),
    "finance_co": ("汽车金融公司", "Vehicle finance company", {
        "finance_head": ("总部", "Head office", ("head_office",), "head_office"),
        "finance_field": ("业务部", "Field office", ("field_officer",), "head_office")}),
    "lender": ("房产抵押借款公司", "Mortgage lender", {
        "lender_office": ("业务部", "Loan office",
                          ("loan_officer", "assistant_reviewer", "office_assistant",
                           "contract_checker", "supervisor", "cashier"), "supervisor")}),
    "hospital": ("医院", "Hospital", {
        "hospital_or": ("手术室", "Operating department", ("head_nurse", "circulating_nurse"),
                        "head_nurse"),
        "hospital_anaesthesia": ("麻醉科", "Anaesthesia", ("anaesthesia", "anaesthetist"),
                                 "anaesthesia"),
        "hospital_surgery": ("外科病区", "Surgical wards",
                             ("resident_in_chief", "surgeon", "ward_nurse"), None),
        "hospital_nurse_station": ("护士站", "Nurse station", ("charge_checker",), None)}),
    "si_agency": ("社会保险经办机构", "Social-insurance agency", {
        "si_city_office": ("市办", "City office",
                           ("director", "retiree_section", "finance_section"), "director"),
        "si_service": ("经办大厅", "Service hall", ("agency_clerk",), "director")}),
    "employers": ("参保单位", "Employers", {
        "employers_hr": ("人事部门", "Personnel offices", ("management_unit",), None)}),
    **{f"bank_{b}": (zh, en, {f"bank_{b}_branch": ("代发网点", "Paying branch", (f"bank_{b}",),
                                                  f"bank_{b}")})
       for b, (zh, en) in BANKS.items()},
}


def place_people(engine: Engine, now: datetime) -> int:
    """Put each demo user into the organisation and department of their role (the first
    that has one), creating them, with the first member of the leader role as the
    department's leader. Returns how many people were placed."""
    placed = 0
    with engine.transaction() as repo:
        conn = repo.conn
        members: dict[str, list[str]] = {}
        for row in conn.execute(sa.select(user_roles.c.role_id, user_roles.c.user_id)
                                .order_by(user_roles.c.user_id)):
            members.setdefault(row.role_id, []).append(row.user_id)
        have = set(conn.execute(sa.select(accounts.c.user_id)).scalars())
        known = set(conn.execute(sa.select(organisations.c.id)).scalars())
        done: set[str] = set()
        for org_id, (zh, en, depts) in ORGANISATIONS.items():
            if org_id not in known:
                conn.execute(organisations.insert().values(id=org_id, name=zh, name_en=en,
                                                           created_at=now))
                for dept_id, (dzh, den, _roles, lead) in depts.items():
                    leader = next(iter(members.get(lead or "", [])), None)
                    conn.execute(departments.insert().values(
                        id=dept_id, organisation_id=org_id, name=dzh, name_en=den,
                        leader_id=leader))
            for dept_id, (_zh, _en, roles, _lead) in depts.items():
                for user in [u for r in roles for u in members.get(r, []) if u not in done]:
                    done.add(user)
                    values = {"organisation_id": org_id, "department_id": dept_id}
                    if user in have:
                        conn.execute(accounts.update().where(accounts.c.user_id == user)
                                     .values(**values))
                    else:
                        conn.execute(accounts.insert().values(user_id=user, **values))
                    placed += 1
    return placed
