"""Files by content hash, permission-checked downloads, checklists and supplements."""

from __future__ import annotations

from pathlib import Path

import pytest

from liucheng.errors import ForbiddenError, ValidationError
from liucheng.runtime import Engine

MODEL = """
process: docs
roles: {officer: 业务员}
steps:
  - id: intake
    role: officer
    documents:
      - {id: property_cert, label: {zh: 产权证, en: Property certificate}, scan: true}
  - {id: review, role: officer}
"""
PDF = b"%PDF-1.4\n% scan of the property certificate\n"


@pytest.fixture
def engine(database_url: str, tmp_path: Path) -> Engine:
    engine = Engine(database_url, data_dir=str(tmp_path / "data"))
    engine.add_user("wang", roles=["officer"])
    engine.add_user("stranger")
    engine.deploy(MODEL)
    yield engine
    engine.close()


def test_scan_upload_checklist_and_download(engine: Engine, tmp_path: Path) -> None:
    case = engine.start("docs", {}, user="wang")
    (task,) = engine.tasks(case=case.id)
    with pytest.raises(ValidationError, match="needs a scan attached"):
        engine.complete(task.id, {"documents": {"property_cert": {"checked": True}}},
                        user="wang")
    stored = engine.upload(case.id, PDF, "../../产权证.pdf", user="wang")
    assert stored["filename"] == "产权证.pdf" and stored["content_type"] == "application/pdf"
    again = engine.upload(case.id, PDF, "copy.pdf", user="wang")
    assert again["sha256"] == stored["sha256"]  # stored once
    files = list((tmp_path / "data" / "files").rglob("*"))
    assert sum(1 for f in files if f.is_file()) == 1
    engine.complete(task.id, {"documents": {"property_cert": {"files": [stored["sha256"]]}}},
                    user="wang")
    assert engine.case(case.id).variables["documents"]["property_cert"]["checked"] is True
    row, content = engine.download(case.id, stored["sha256"], user="wang")
    assert content == PDF and row["uploaded_by"] == "wang"
    with pytest.raises(ForbiddenError, match="stranger is not on case"):
        engine.download(case.id, stored["sha256"], user="stranger")
    with pytest.raises(ForbiddenError):
        engine.upload(case.id, PDF, "x.pdf", user="stranger")


@pytest.mark.parametrize(("content", "name", "message"), [
    (b"MZ\x90\x00", "scan.pdf", "not really a .pdf"),
    (b"#!/bin/sh\nrm -rf /", "run.sh", "are not accepted"),
    (b"", "empty.pdf", "empty"),
    (b"%PDF" + b"0" * 2048, "big.pdf", "at most 1 KB"),
])
def test_bad_uploads_are_refused(engine: Engine, content: bytes, name: str,
                                 message: str) -> None:
    engine.files.max_size = 1024
    case = engine.start("docs", {}, user="wang")
    with pytest.raises(ValidationError, match=message):
        engine.upload(case.id, content, name, user="wang")
    assert engine.attachments(case.id) == []


def test_supplement_list_and_notification(engine: Engine) -> None:
    case = engine.start("docs", {}, user="wang")
    engine.request_supplement(case.id, "户口本首页", user="wang", note="缺派出所章")
    (entry,) = engine.state(case.id)["supplements"].values()
    engine.add_user("li", roles=["officer"])
    engine.receive_supplement(case.id, entry["id"], user="wang")
    kinds = [n["kind"] for n in engine.notifications("wang")]
    assert "supplement" in kinds
