"""Every corpus file imports or fails with a ModelError naming elements; never anything else.

Files the manifest marks as deliberately broken must fail, as drafts too; every MIWG
reference model either imports or reports what is unsupported, and imports as a draft
that survives export → draft import; every file that imports survives export → import
with the same meaning.
"""

from __future__ import annotations

import re
from functools import cache

import pytest
from bpmn_corpus import CORPUS_MISSING, Row, by_path, rows

from liucheng.errors import ModelError
from liucheng.loaders.bpmn_export import export_bpmn
from liucheng.loaders.bpmn_roundtrip import differences
from liucheng.loaders.bpmn_xml import findings, is_draft, load_bpmn
from liucheng.model import ProcessDefinition, UserTask, validate

pytestmark = pytest.mark.skipif(CORPUS_MISSING is not None, reason=CORPUS_MISSING or "")
ROWS = rows()


def _import(row: Row) -> ProcessDefinition | ModelError:
    return _import_path(row)


@cache
def _import_path(row: Row) -> ProcessDefinition | ModelError:
    try:
        return load_bpmn(row.text(), row.path)
    except ModelError as exc:
        return exc


def _importing() -> list[Row]:
    """Rows whose file imports (decided at collection; a crash here is a collection error)."""
    return [r for r in ROWS if isinstance(_import(r), ProcessDefinition)]


def test_the_manifest_lists_files_that_exist() -> None:
    assert len(ROWS) > 100
    missing = [r.path for r in ROWS if not r.file.is_file()]
    assert missing == []


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.path)
def test_imports_or_names_what_is_wrong(row: Row) -> None:
    result = _import(row)  # any exception other than ModelError fails the test
    if isinstance(result, ProcessDefinition):
        assert validate(result) == []
        assert result.extensions["bpmn_import"]["process"] == result.key
        return
    assert result.problems, "a ModelError must list its problems"
    for problem in result.problems:
        assert problem.source == row.path
        assert problem.line is not None, f"no line: {problem}"
        assert problem.element is not None, f"names no element: {problem}"


@pytest.mark.parametrize("row", [r for r in ROWS if r.broken], ids=lambda r: r.path)
def test_deliberately_broken_files_give_an_error(row: Row) -> None:
    with pytest.raises(ModelError):
        load_bpmn(row.text(), row.path)


def test_broken_files_say_why() -> None:
    reasons = {}
    for row in (r for r in ROWS if r.broken):
        result = _import(row)
        assert isinstance(result, ModelError)
        reasons[row.path] = " | ".join(str(p) for p in result.problems)
    assert "duplicate id 'test'" in reasons["bpmn-js/duplicate-ids.bpmn"]
    assert "not a BPMN 2.0 file" in reasons["bpmn-js/missing-namespace.bpmn"]
    assert "no <process>" in reasons["bpmn-js/empty-definitions.bpmn"]
    assert "no <process>" in reasons["bpmn-js/no-process-collaboration.bpmn"]


UNSUPPORTED = re.compile(r"not supported|has no handler|does not translate|has no condition "
                         r"and is not the default|no start event|no incoming flow|"
                         r"no liucheng counterpart")


@pytest.mark.parametrize("row", [r for r in ROWS if r.miwg], ids=lambda r: r.path)
def test_miwg_reference_models(row: Row) -> None:
    result = _import(row)
    if isinstance(result, ModelError):
        for problem in result.problems:
            assert UNSUPPORTED.search(problem.message), f"unclear: {problem}"
        return
    again = load_bpmn(export_bpmn(result))
    assert differences(result, again) == []


@pytest.mark.parametrize("lanes", [False, True], ids=["plain", "lanes"])
@pytest.mark.parametrize("row", _importing(), ids=lambda r: r.path)
def test_imported_files_round_trip(row: Row, lanes: bool) -> None:
    result = _import(row)
    assert isinstance(result, ProcessDefinition)
    again = load_bpmn(export_bpmn(result, lanes=lanes), "exported.bpmn")
    assert differences(result, again) == []


def test_enough_of_the_corpus_imports() -> None:
    assert len(_importing()) >= 58, [r.path for r in _importing()]


def test_import_only_expectations_of_the_manifest() -> None:
    chinese = _import(by_path("flowable-engine/chinese.bpmn"))
    assert isinstance(chinese, ProcessDefinition)
    first = next(e for e, _ in chinese.walk() if isinstance(e, UserTask))
    assert first.name.zh == "中文名称去"
    other = _import(by_path("flowable-engine/othertoolimport.bpmn"))
    assert isinstance(other, ModelError)  # message start events; the process is still named
    assert all(p.source == "flowable-engine/othertoolimport.bpmn" for p in other.problems)


@pytest.mark.parametrize("lanes", [False, True], ids=["plain", "lanes"])
@pytest.mark.parametrize("row", [r for r in ROWS if r.miwg], ids=lambda r: r.path)
def test_miwg_reference_models_import_as_drafts_and_round_trip(row: Row, lanes: bool) -> None:
    draft = load_bpmn(row.text(), row.path, draft=True)
    exported = export_bpmn(draft, lanes=lanes)
    again = load_bpmn(exported, "exported.bpmn", draft=True)
    assert differences(draft, again) == []
    for finding in findings(draft):
        assert finding["element"] and finding["line"] and finding["tag"], finding
    if is_draft(draft):  # what only a drawing lacks still stops the strict import (deploy)
        with pytest.raises(ModelError, match="is a draft imported from a drawing"):
            load_bpmn(exported, "exported.bpmn")


def test_every_miwg_reference_model_imports_as_a_draft() -> None:
    miwg = [r for r in ROWS if r.miwg]
    assert len(miwg) == 25
    drafts = [load_bpmn(r.text(), r.path, draft=True) for r in miwg]
    assert sum(is_draft(d) for d in drafts) == 17  # the 8 others import strictly too


@pytest.mark.parametrize("row", [r for r in ROWS if r.broken], ids=lambda r: r.path)
def test_deliberately_broken_files_fail_as_drafts_too(row: Row) -> None:
    with pytest.raises(ModelError):
        load_bpmn(row.text(), row.path, draft=True)
