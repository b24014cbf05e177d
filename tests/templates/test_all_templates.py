"""Every shipped template: listed, valid, deployable, bilingual, and its declared rules
(windows, due dates) in the shapes the calendar reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from liucheng.errors import NotFoundError
from liucheng.model import UserTask
from liucheng.runtime import Engine
from liucheng.templates import list_templates, template_source

EXPECTED = ["sales_order", "mortgage_loan", "retiree_death", "survivor_entitlement",
            "pension_payment", "vehicle_loan", "operating_room", "expense_claim",
            "leave_request", "engineering_change"]


def test_the_catalogue_is_complete_and_in_order() -> None:
    infos = list_templates()
    assert [t.name for t in infos] == EXPECTED
    for info in infos:
        assert info.key == info.name
        assert info.title_zh and info.title_en and info.description_zh and info.description_en


def test_unknown_template_says_which_exist() -> None:
    with pytest.raises(NotFoundError, match="sales_order"):
        template_source("sales")


def test_every_template_validates_and_deploys(tmp_path: Path) -> None:
    engine = Engine(f"sqlite:///{tmp_path}/t.db")
    for name in EXPECTED:
        view = engine.deploy(template_source(name), source_name=f"{name}.yaml")
        assert (view.key, view.version, view.created) == (name, 1, True)
        again = engine.deploy(template_source(name), source_name=f"{name}.yaml")
        assert again.created is False
    assert sorted(v.key for v in engine.definitions()) == sorted(EXPECTED)
    engine.close()


@pytest.mark.parametrize("name", EXPECTED)
def test_every_step_and_role_is_named_in_chinese_and_english(name: str) -> None:
    definition = Engine.validate(template_source(name), source_name=f"{name}.yaml")
    assert definition.name.zh and definition.name.en
    for role in definition.roles:
        assert role.name.zh and role.name.en, role.id
    for element, _ in definition.walk():
        if element.kind in ("start_event", "end_event") and not element.name.en:
            continue
        if element.id.endswith("_join"):
            continue
        assert element.name.zh and element.name.en, f"{name}: {element.id}"
        if isinstance(element, UserTask):
            assert element.instructions.zh and element.instructions.en, f"{name}: {element.id}"
            for f in element.form:
                assert f.label.zh and f.label.en, f"{name}: {element.id}.{f.id}"
            for d in element.documents:
                assert d.label.zh and d.label.en and d.check.zh and d.check.en, d.id


@pytest.mark.parametrize("name", EXPECTED)
def test_every_role_has_a_step(name: str) -> None:
    definition = Engine.validate(template_source(name), source_name=f"{name}.yaml")
    used = {r for e, _ in definition.walk() if isinstance(e, UserTask) for r in e.roles}
    assert {r.id for r in definition.roles} <= used
