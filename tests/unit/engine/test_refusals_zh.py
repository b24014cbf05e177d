"""Every refusal a person can meet in the human-task actions, the engine's command handlers,
the runtime, the storage's lookups and the pages' access checks says it in Chinese too
(`message_zh`, or on each problem of a ValidationError), so a zh-CN page never shows a lone
English sentence."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from engine_harness import Case

from liucheng.engine import commands as c
from liucheng.engine.commands import Actor
from liucheng.errors import ConflictError, ForbiddenError, StateError, ValidationError
from liucheng.rules.validators import RuleProblem

SRC = Path(__file__).resolve().parents[3] / "src" / "liucheng"
MODULES = sorted([*(SRC / "engine" / "humantask").glob("*.py"), *(SRC / "engine").glob("*.py"),
                  *(SRC / "runtime").glob("*.py"), SRC / "storage" / "repository.py",
                  SRC / "org" / "access.py"])
REFUSALS = {"ConflictError", "ForbiddenError", "StateError", "NotFoundError", "ValidationError"}
# (module, function) whose refusals stay English, each for its reason:
ENGLISH_ONLY = {
    # a programming error: the runtime only ever sends the engine commands it knows
    ("engine/interpreter.py", "decide"),
    # forwards the problems of the form rules and checklist, which carry their own zh-CN
    ("engine/humantask/forms.py", "checked_data"),
    # version migration is an administrator's CLI / API command (both English) and its
    # problems are about tokens and element ids
    ("engine/migrate.py", "migrate"),
}


def _refusals(path: Path) -> list[tuple[str, int, bool]]:
    """(enclosing function, line, says it in Chinese — its hint too, if it has one) of each
    refusal built in `path`."""
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, function: str) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function = node.name if function == "<module>" else function
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in REFUSALS:
                zh = any(isinstance(k, ast.keyword) and k.arg == "message_zh"
                         for k in ast.walk(node))
                own = {k.arg for k in node.keywords}
                found.append((function, node.lineno, zh and ("hint" not in own
                                                              or "hint_zh" in own)))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(ast.parse(path.read_text(encoding="utf-8")), "<module>")
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_every_refusal_has_its_chinese(path: Path) -> None:
    module = str(path.relative_to(SRC))
    missing = [f"{module}:{line} in {function}" for function, line, zh in _refusals(path)
               if not zh and (module, function) not in ENGLISH_ONLY]
    assert missing == [], ("give these a message_zh, and a hint_zh beside a hint (or an "
                           "entry in ENGLISH_ONLY, with why)")


def test_the_english_only_list_names_real_refusals() -> None:
    have = {(str(p.relative_to(SRC)), f) for p in MODULES for f, _, zh in _refusals(p) if not zh}
    assert have >= ENGLISH_ONLY


WANG = Actor("wang", frozenset({"clerk"}))
LI = Actor("li", frozenset({"clerk"}))
LINEAR = """roles: {clerk: 文员}
process: linear
steps:
  - {id: apply, role: clerk}
  - {id: review, role: clerk}
  - {id: approve, role: clerk}
"""


def test_refusals_read_in_chinese_and_stay_english_for_the_api() -> None:
    case = Case(LINEAR).start(actor=WANG).complete("apply", actor=WANG)
    review = case.task_id("review")
    with pytest.raises(ForbiddenError) as returned:
        case.run(c.ReturnTask(LI, review, "approve"))
    assert returned.value.text("zh-CN") == "“review”不能退回到“approve”；可退回到：apply"
    assert returned.value.text("en") == ("'review' cannot be returned to 'approve'; "
                                         "it can go back to: apply")
    with pytest.raises(StateError) as delegated:
        case.run(c.DelegateTask(LI, review, "li"))
    assert delegated.value.text("zh-CN") == "不能把任务委派给自己"
    case.run(c.ClaimTask(LI, review))
    with pytest.raises(ConflictError) as late:
        case.run(c.WithdrawTask(WANG, "apply"))
    assert late.value.text("zh-CN") == "已不能撤回：li已接手“review”"
    assert late.value.message.startswith("too late to withdraw: li has already taken")
    with pytest.raises(ConflictError) as twice:
        case.run(c.AddSigners(LI, review, ("li",), "after"))
    assert twice.value.text("zh-CN") == "li已是此步骤的签署人"
    assert twice.value.to_dict()["message"] == "li already sign this step"


def test_a_validation_refusal_carries_chinese_on_its_problem(tmp_path: Path) -> None:
    from liucheng.runtime.files import FileStore

    with pytest.raises(ValidationError) as empty:
        FileStore(tmp_path).put(b"", "申请表.pdf")
    (problem,) = empty.value.problems
    assert isinstance(problem, RuleProblem) and problem.message == "the file is empty"
    assert problem.text("zh-CN") == "文件是空的"
