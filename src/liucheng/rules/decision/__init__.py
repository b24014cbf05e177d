"""Decision tables: the frozen model, the YAML form, evaluation under a hit policy and the
deploy-time analysis of overlapping rules and gaps.

A table has input columns (an expression over case variables, see
`liucheng.rules.expressions`), output columns and rules; a rule's input entries are FEEL
unary tests (`liucheng.rules.feel`) and its output entries are literals or expressions.
`load_table` reads the YAML mapping form (docs/rules.md), `evaluate` runs a table against
case variables and says which rules matched, `analyse` finds overlaps and gaps. DMN XML
is read by `liucheng.rules.dmn` into the same model.

The package re-exports the public names of its modules:

* `model` — the table, its columns and rules, `DecisionResult`, `DecisionError`, `coerce`;
* `evaluation` — `evaluate`;
* `load` — `load_table`, `input_entry`, `output_entry`;
* `analysis` — `analyse`, `Analysis`, `Overlap`, `Gap`, `MAX_CELLS`.
"""

from liucheng.rules.decision.analysis import MAX_CELLS, Analysis, Gap, Overlap, analyse
from liucheng.rules.decision.evaluation import evaluate
from liucheng.rules.decision.load import input_entry, load_table, output_entry
from liucheng.rules.decision.model import (
    AGGREGATIONS,
    HIT_POLICIES,
    SINGLE_HIT,
    TYPES,
    DecisionError,
    DecisionResult,
    DecisionTable,
    Input,
    Output,
    OutputEntry,
    Rule,
    coerce,
)

__all__ = [
    "AGGREGATIONS",
    "HIT_POLICIES",
    "MAX_CELLS",
    "SINGLE_HIT",
    "TYPES",
    "Analysis",
    "DecisionError",
    "DecisionResult",
    "DecisionTable",
    "Gap",
    "Input",
    "Output",
    "OutputEntry",
    "Overlap",
    "Rule",
    "analyse",
    "coerce",
    "evaluate",
    "input_entry",
    "load_table",
    "output_entry",
]
