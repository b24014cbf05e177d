"""The corpus' engine test cases, each run through the pure engine core (see bpmn_scenarios).

Scenarios liucheng cannot run yet are strict xfails: their reason names the unsupported
element, and an xfail stopped by the import must be stopped by a problem about an element
the reason names — so the list of what is missing stays true.
"""

from __future__ import annotations

import pytest
from bpmn_corpus import CORPUS_MISSING, rows
from bpmn_scenarios import SCENARIOS, Scenario

from liucheng.errors import ModelError

pytestmark = pytest.mark.skipif(CORPUS_MISSING is not None, reason=CORPUS_MISSING or "")
ENGINE_CASES = [r.path for r in rows() if r.engine_case]


def _params() -> list[object]:
    out: list[object] = []
    for path in ENGINE_CASES:
        found = SCENARIOS.get(path)
        marks = []
        if found is not None and found.xfail:
            marks.append(pytest.mark.xfail(reason=found.xfail, raises=found.raises, strict=True))
        out.append(pytest.param(path, marks=marks, id=path))
    return out


def test_every_engine_case_has_a_scenario() -> None:
    assert sorted(set(ENGINE_CASES) - set(SCENARIOS)) == []
    assert sorted(set(SCENARIOS) - set(ENGINE_CASES)) == []


def _names_the_problem(scenario: Scenario, exc: ModelError) -> bool:
    reason = scenario.xfail or ""
    for problem in exc.problems:
        tag = problem.message.split(" ", 1)[0].split(":", 1)[0].split("(", 1)[0]
        if problem.element and problem.element in reason or tag and tag in reason:
            return True
    return False


@pytest.mark.parametrize("path", _params())
def test_engine_case(path: str) -> None:
    scenario = SCENARIOS[path]
    try:
        scenario.execute()
    except ModelError as exc:
        if scenario.xfail and _names_the_problem(scenario, exc):
            raise
        raise AssertionError(f"import failed for a reason the scenario does not name: {exc}"
                             ) from exc
