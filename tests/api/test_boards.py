"""Public status boards: shown without sign-in only for processes that opt in, with only the
configured fields, names and numbers masked, in Chinese and English, refreshed by htmx."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from webworld import World

from liucheng.api.boards import BoardConfig
from liucheng.loaders.yaml_dsl import load_yaml
from liucheng.templates import template_source

HERE = Path(__file__).parent
VISIT = (HERE / "visit_board.yaml").read_text(encoding="utf-8")
ID_NUMBER = "11010519491231002X"


def _visit(world: World, name: str = "张小三", room: str = "3诊室") -> dict[str, Any]:
    """A clinic visit registered by alice, now waiting for the doctor."""
    alice = world.client("alice")
    case = alice.post("/api/v1/cases", json={"process": "clinic_visit",
                                             "business_key": "MZ-20260301-0042"}).json()
    done = alice.post(f"/api/v1/tasks/{case['open_tasks'][0]['id']}/complete", json={
        "variables": {"patient_name": name, "id_number": ID_NUMBER, "room": room,
                      "diagnosis_note": "高血压复诊"}})
    assert done.status_code == 200, done.text
    return dict(done.json())


@pytest.fixture
def board_world(world: World) -> World:
    world.svc.engine.deploy(VISIT, source_name="visit_board.yaml", by="admin")
    return world


def test_a_board_is_public_only_where_the_process_opts_in(board_world: World) -> None:
    _visit(board_world)
    anonymous = TestClient(board_world.app, follow_redirects=False)
    shown = anonymous.get("/boards/clinic_visit")
    assert shown.status_code == 200
    assert shown.headers["cache-control"] == "no-store"
    assert "default-src 'self'" in shown.headers["content-security-policy"]
    assert anonymous.get("/boards/clinic_visit/rows").status_code == 200
    for key in ("leave_request", "no_such_process", "broken_check"):
        assert anonymous.get(f"/boards/{key}").status_code == 404
        assert anonymous.get(f"/boards/{key}/rows").status_code == 404
    # signed-in staff get no more than anyone
    assert board_world.session("bob").get("/boards/leave_request").status_code == 404


def test_the_board_shows_the_configured_fields_masked_and_nothing_else(
        board_world: World) -> None:
    case = _visit(board_world)
    html = TestClient(board_world.app).get("/boards/clinic_visit").text
    rows = TestClient(board_world.app).get("/boards/clinic_visit/rows").text
    for page in (html, rows):
        assert "张*三" in page and "张小三" not in page            # the full name never
        assert ID_NUMBER not in page and ID_NUMBER[:6] not in page  # nor the ID number,
        assert "**************002X" in page                        # even asked unmasked
        assert "3诊室" in page
        assert "高血压复诊" not in page and "病情备注" not in page  # unconfigured field
        assert case["id"] not in page and case["id"][:8] not in page  # no case id
        assert "MZ-20260301-0042" not in page                       # no business key
        assert "王丽" not in page and "alice" not in page           # nor who started it
        assert "就诊中" in page                                     # the stage of the step
    assert 'hx-get="/boards/clinic_visit/rows?lang=zh-CN"' in html
    assert re.search(r'hx-trigger="every (1[5-9]|2[0-9]|30)s"', html)
    assert "<form" not in html and "csrf" not in html.lower()


def test_the_board_speaks_english_when_asked(board_world: World) -> None:
    _visit(board_world, name="欧阳娜娜")
    english = TestClient(board_world.app).get("/boards/clinic_visit?lang=en").text
    assert '<html lang="en">' in english
    assert "With the doctor" in english and "Patient" in english and "欧阳**" in english
    by_header = TestClient(board_world.app, headers={"Accept-Language": "en"})
    assert "With the doctor" in by_header.get("/boards/clinic_visit/rows").text


def test_finished_cases_leave_the_board(board_world: World) -> None:
    case = _visit(board_world, name="李四")
    assert "李*" in TestClient(board_world.app).get("/boards/clinic_visit").text
    board_world.client("bob").post(f"/api/v1/tasks/{case['open_tasks'][0]['id']}/complete",
                                   json={"variables": {}})
    after = TestClient(board_world.app).get("/boards/clinic_visit").text
    assert "李*" not in after
    assert "目前没有进行中的案件" in after


def test_the_operating_room_board_has_the_stages_of_the_template() -> None:
    definition = load_yaml(template_source("operating_room"))
    config = BoardConfig.of(definition)
    assert config is not None
    assert [s.id for s in config.stages] == ["waiting", "in_pre_op", "in_surgery",
                                             "in_recovery", "back_to_ward"]
    assert [s.label.zh for s in config.stages] == ["等待手术", "术前准备", "手术中", "复苏中",
                                                   "已回病房"]
    masks = {f.id: f.mask for f in config.fields}
    assert masks == {"patient_name": "name", "inpatient_no": "code", "ward": "none",
                     "room": "none"}
    assert config.stage_variable == "board_stage" and config.colour_by == "or_class"
    assert config.colours["emergency"][0] == "red"


def test_a_board_without_public_true_is_not_a_board() -> None:
    source = VISIT.replace("  public: true\n", "")
    assert BoardConfig.of(load_yaml(source)) is None
    assert BoardConfig.of(load_yaml(VISIT.replace("public: true", "public: 'yes'"))) is None


def test_names_are_masked_whatever_the_entry_says() -> None:
    source = VISIT.replace("fields: [patient_name,", "fields: [{id: patient_name, mask: none},")
    config = BoardConfig.of(load_yaml(source), ["id_number"])
    assert config is not None
    assert {f.id: f.mask for f in config.fields} == {"patient_name": "name",
                                                     "id_number": "code", "room": "none"}


def _case(variables: dict[str, Any], active: list[str]) -> Any:
    from datetime import UTC, datetime

    from liucheng.runtime.views import CaseView

    return CaseView(id="c1", process="operating_room", definition="operating_room:1",
                    business_key="SS-1", title="t", status="active",
                    started_at=datetime(2026, 3, 2, tzinfo=UTC), started_by="u", ended_at=None,
                    variables=variables, incidents=[], active=active)


def test_the_operating_room_stage_comes_from_board_stage_then_the_step() -> None:
    definition = load_yaml(template_source("operating_room"))
    config = BoardConfig.of(definition)
    assert config is not None
    base = {"patient_name": "欧阳娜娜", "inpatient_no": "Z0012345", "ward": "外科2病区",
            "room": 3, "or_class": "emergency", "procedure": "腹腔镜胆囊切除术"}
    row = config.row(_case({**base, "board_stage": "in_surgery"}, ["surgery_end"]), definition)
    assert row.stage is not None and row.stage.label.en == "In surgery"
    assert [v.zh for v in row.values] == ["欧阳**", "****2345", "外科2病区", "3"]
    assert row.colour == "red" and row.colour_label is not None
    unknown = config.row(_case({**base, "board_stage": "??"}, ["patient_in_pre_op"]),
                         definition)
    assert unknown.stage is not None and unknown.stage.id == "in_pre_op"
    first = config.row(_case({"patient_name": "王芳"}, ["schedule"]), definition)
    assert first.stage is not None and first.stage.id == "waiting" and first.stage_index == 0
    assert first.colour is None
