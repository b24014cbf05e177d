"""The BPMN test corpus beside the project: its manifest rows and file texts.

The corpus lives in `../shared/corpus/bpmn` relative to the project root and is read in
place, never copied. `CORPUS_MISSING` says why tests skip when it is not there.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = (ROOT / ".." / "shared" / "corpus" / "bpmn").resolve()
MANIFEST = CORPUS / "MANIFEST.tsv"
CORPUS_MISSING = (None if MANIFEST.is_file() else
                  f"BPMN corpus not found at {CORPUS} (expected ../shared/corpus/bpmn beside "
                  "the project root)")
_BROKEN = re.compile(r"\b(fail|fails|error|errors|warning|warnings)\b", re.I)


@dataclass(frozen=True)
class Row:
    """One manifest row (the columns the tests use)."""

    path: str
    source_repo: str
    elements_used: str
    executable: bool
    expected: str
    engine_case: bool
    deploy_with: str

    @property
    def file(self) -> Path:
        return CORPUS / self.path

    def text(self) -> str:
        return self.file.read_text(encoding="utf-8")

    @property
    def miwg(self) -> bool:
        return self.source_repo.endswith("bpmn-miwg-test-suite")

    @property
    def broken(self) -> bool:
        """A bpmn.io fixture the manifest expects an import error or warning for."""
        return self.source_repo.startswith("bpmn-io/") and bool(_BROKEN.search(self.expected))


def rows() -> list[Row]:
    if CORPUS_MISSING:
        return []
    with MANIFEST.open(encoding="utf-8", newline="") as handle:
        return [Row(r["corpus_path"], r["source_repo"], r["elements_used"],
                    r["executable"] == "yes", r["expected_behaviour"], r["engine_case"] == "yes",
                    r["deploy_with"])
                for r in csv.DictReader(handle, delimiter="\t")]


def by_path(path: str) -> Row:
    return next(r for r in rows() if r.path == path)
