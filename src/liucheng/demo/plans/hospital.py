"""Demo plan for the hospital: the operating-room booking, from application and scheduling
through surgery to the charge check.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from liucheng.calendar import BusinessCalendar
from liucheng.demo.plans.base import SHANGHAI, Case, Data, Plan, next_working_day
from liucheng.demo.values import amount, person_name


class OperatingRoom(Plan):
    key, per_month, starter, bottleneck = ("operating_room", 160, "resident_in_chief",
                                           "charge_check")
    slow = (8.0, 30.0)
    PROCEDURES = [("泌尿外科", "腹腔镜肾切除术", "肾", "经腹腔"),
                  ("骨科", "膝关节置换术", "膝关节", "前正中切口"),
                  ("普外科", "腹腔镜胆囊切除术", "胆囊", "腹腔镜"),
                  ("乳腺外科", "乳腺肿物切除术", "乳腺", "乳晕切口"),
                  ("骨科", "股骨颈骨折内固定术", "下肢", "外侧切口")]

    def starts(self, rng: random.Random, cal: BusinessCalendar, begin: datetime,
               end: datetime, count: int) -> list[datetime]:
        out = []
        for at in super().starts(rng, cal, begin, end, count):
            if rng.random() < 0.8:  # most electives are filed before the 11:00 cutoff
                day = at.date()
                at = datetime.combine(day, time(8, 30), SHANGHAI) + timedelta(
                    minutes=rng.randrange(150))
            out.append(at)
        return sorted(out)

    def start_vars(self, case: Case, at: datetime) -> dict[str, Any]:
        case.extra["emergency"] = case.chance(0.1)
        case.extra["file_as_elective"] = case.chance(0.5)
        return {}

    def wait(self, step: str) -> tuple[float, float]:
        if step in ("schedule", "schedule_follow_on"):
            return (0.5, 4.0)
        if step in ("surgery_start", "surgery_end", "recovery", "back_to_ward"):
            return (0.0, 0.3)
        return super().wait(step)

    def work(self, step: str) -> tuple[float, float]:
        return {"surgery_end": (1.0, 3.5), "recovery": (0.5, 1.5)}.get(step, (0.1, 0.6))

    def not_before(self, case: Case, step: str, now: datetime) -> datetime | None:
        if step != "patient_in_pre_op" or case.extra.get("emergency"):
            return None
        order = int(case.vars.get("room_order", 1))
        day = date.fromisoformat(case.vars["planned_date"])
        return datetime.combine(day, time(8, 30), SHANGHAI) + timedelta(hours=2.5 * (order - 1))

    def data(self, case: Case, step: str, now: datetime) -> Data:
        r, v, x = case.rng, case.vars, case.extra
        if step == "apply":
            specialty, procedure, site, approach = r.choice(self.PROCEDURES)
            emergency = x["emergency"]
            local = now.astimezone(SHANGHAI)
            late = local.hour >= 11
            urgency = "emergency" if emergency or (late and not (
                x["file_as_elective"] and case.first(step))) else "elective"
            return {"patient_name": person_name(r), "inpatient_no": f"Z{r.randrange(10**6):06d}",
                    "specialty": specialty, "ward": f"外科{r.randrange(1, 6)}病区",
                    "procedure": procedure, "site": site,
                    "side": r.choice(["left", "right"]) if site in ("肾", "膝关节", "乳腺", "下肢")
                    else "none", "approach": approach,
                    "planned_date": local.date().isoformat() if emergency else next_working_day(
                        local.date()), "urgency": urgency, "clinically_urgent": emergency,
                    "phoned_in": urgency == "emergency"}, None
        if step in ("schedule", "schedule_follow_on"):
            nurses = r.sample(x["nurses"], 2)
            data = {"room": r.randrange(1, 9), "room_order": r.randrange(1, 4),
                    "circulating_nurse": nurses[0], "scrub_nurse": nurses[1]}
            if step == "schedule_follow_on":
                data.update(follows_case=f"{data['room']}号间第{data['room_order']}台",
                            room_order=data["room_order"] + 1)
            return data, None
        if step == "anaesthesia_confirm":
            return {"anaesthetist": r.choice(x["anaesthetists"])}, None
        if step == "patient_in_pre_op":
            return {"site_side_confirmed": True}, None
        if step == "surgery_start":
            return {"surgeon": r.choice(x["surgeons"]), "anaesthetist": v["anaesthetist"],
                    "actual_start": now.isoformat()}, None
        if step == "surgery_end":
            return {"actual_procedure": v["procedure"], "actual_end": now.isoformat()}, None
        if step == "charging":
            high = amount(r, 3000, 0.6, 10) if case.first(step) else int(
                v.get("consumables_high_value", 0))
            return {"procedure_fee": amount(r, 2500, 0.4, 10),
                    "consumables_low_value": amount(r, 300, 0.5, 1),
                    "consumables_high_value": high, "drugs": amount(r, 800, 0.5, 1)}, None
        if step == "charge_check":
            bad = case.first(step) and case.chance(0.12)
            return {"charge_remarks": "高值耗材与登记不符" if bad else ""}, (
                "mismatch" if bad else "match")
        return {}, None
