"""What both sides run: the model files, the roles, and the data entered at each step.

Standard library only: the SpiffWorkflow side imports this module from its own venv.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MODELS_DIR = Path(__file__).resolve().parent / "models"
ROLES = ("clerk", "reviewer", "legal", "finance", "manager")
USER = "bench"


def sqlite_pragmas(synchronous: str) -> list[str]:
    """The product's SQLite settings (`liucheng.storage.database.sqlite_pragmas`; a test
    keeps the two equal), for the SpiffWorkflow side, which cannot import the product."""
    return ["journal_mode=WAL", f"synchronous={synchronous}", "busy_timeout=60000",
            "foreign_keys=ON", "wal_autocheckpoint=10000"]


@dataclass(frozen=True)
class Model:
    """One benchmark process: its BPMN file, its YAML twin and the BPMN process id."""

    name: str
    process_id: str
    description: str

    @property
    def bpmn_path(self) -> Path:
        return MODELS_DIR / f"{self.name}.bpmn"

    @property
    def yaml_path(self) -> Path:
        return MODELS_DIR / f"{self.name}.yaml"


MODELS = {
    "linear10": Model("linear10", "bench_linear10", "10 user tasks in a row"),
    "gateway": Model("gateway", "bench_gateway",
                     "exclusive gateway (half the cases take the review) + parallel split/join"),
}


def step_data(case_index: int) -> dict[str, int]:
    """Form data submitted with every completion; even cases take the review route."""
    return {"amount": 5000 if case_index % 2 == 0 else 10}
