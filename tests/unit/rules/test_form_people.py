"""`user` form fields: a person from the directory, optionally holding a role; also inside a
repeating group. Problems name the field in zh-CN and English."""

from __future__ import annotations

from datetime import date

from liucheng.model import FormField, Text
from liucheng.rules.forms import spec_problems, validate_form

TODAY = date(2026, 3, 2)
OFFICERS = {"li": {"loan_officer"}, "wang": {"cashier"}}
OFFICER = FormField("lead_officer", "user", Text("主接待业务员", "Lead officer"), required=True,
                    options={"role": "loan_officer"})


def people(user: str, role: str | None) -> bool:
    return user in OFFICERS and (role is None or role in OFFICERS[user])


def test_a_holder_of_the_role_is_taken_trimmed() -> None:
    clean, problems = validate_form([OFFICER], {"lead_officer": " li "}, {}, today=TODAY,
                                    people=people)
    assert problems == [] and clean == {"lead_officer": "li"}


def test_someone_without_the_role_or_unknown_is_refused_at_the_field() -> None:
    for user in ("wang", "nobody"):
        _, problems = validate_form([OFFICER], {"lead_officer": user}, {}, today=TODAY,
                                    people=people)
        assert [p.field for p in problems] == ["lead_officer"]
        assert problems[0].message_zh == f"“主接待业务员”：“{user}”不是在职的loan_officer角色人员"
        assert problems[0].message == (f"'Lead officer' names '{user}', who is not an active "
                                       "user with the role 'loan_officer'")


def test_without_a_role_any_active_user_and_no_one_else() -> None:
    anyone = FormField("handover_to", "user", Text("交接人", "Hand-over"))
    assert validate_form([anyone], {"handover_to": "wang"}, {}, today=TODAY,
                         people=people)[1] == []
    _, problems = validate_form([anyone], {"handover_to": "zhao"}, {}, today=TODAY,
                                people=people)
    assert problems[0].message_zh == "“交接人”：没有在职用户“zhao”"


def test_user_fields_inside_a_group_are_checked_per_row() -> None:
    signers = FormField("signers", "group", Text("签字人", "Signers"), options={"fields": [
        {"id": "who", "type": "user", "role": "cashier", "required": True}]})
    _, problems = validate_form([signers], {"signers": [{"who": "wang"}, {"who": "li"}]}, {},
                                today=TODAY, people=people)
    assert [p.field for p in problems] == ["signers[2].who"]


def test_the_type_and_its_role_setting_are_known() -> None:
    assert spec_problems([OFFICER]) == []
