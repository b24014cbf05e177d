"""Deploy-time analysis of a decision table: overlapping rules and input gaps.

`analyse` treats each input column as a set of values in a `Domain` (intervals of numbers
or dates, texts, booleans): two rules overlap when their entries intersect in every column,
and gaps are the combinations of column pieces no rule covers, up to MAX_CELLS of them.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from liucheng.errors import Problem
from liucheng.rules.decision.model import DecisionTable, Input
from liucheng.rules.feel import Domain, IntervalSet, Kind, UnaryTests, parse_unary_tests, to_feel

MAX_CELLS = 20_000  # input combinations the gap analysis will enumerate


@dataclass(frozen=True)
class Overlap:
    rules: tuple[int, int]
    example: Mapping[str, str]  # input id -> a FEEL value both rules match


@dataclass(frozen=True)
class Gap:
    entries: Mapping[str, str]  # input id -> FEEL unary tests no rule covers (together)


@dataclass(frozen=True)
class Analysis:
    """Overlapping rules (an error for UNIQUE, and for ANY when outputs differ) and gaps."""

    table: str
    overlaps: tuple[Overlap, ...] = ()
    gaps: tuple[Gap, ...] = ()
    gap_count: int = 0  # uncovered input combinations, of which `gaps` lists the first
    notes: tuple[str, ...] = ()
    source: str | None = None

    def problems(self) -> list[Problem]:
        return [Problem(
            f"rules {o.rules[0]} and {o.rules[1]} both match " + ", ".join(
                f"{k} = {v}" for k, v in o.example.items()),
            element=self.table, source=self.source,
            hint="make the rules exclusive, or use hit policy FIRST or PRIORITY",
        ) for o in self.overlaps]

    def warnings(self) -> list[Problem]:
        found = [Problem("no rule matches " + ", ".join(
            f"{k} {v}" if v[0] in "<>" else f"{k} = {v}" if _literal(v) else f"{k} in {v}"
            for k, v in g.entries.items() if v != "-"),
            element=self.table, source=self.source,
            hint="add a rule or a default output for these inputs") for g in self.gaps]
        return found + [Problem(n, element=self.table, source=self.source) for n in self.notes]


def _literal(feel: str) -> bool:
    return parse_unary_tests(feel).points() is not None and "," not in feel


def _domain(col: Input, entries: list[UnaryTests]) -> Domain | str:
    kinds: set[Kind] = set().union(*(e.kinds() for e in entries)) - {"null"}
    kind: Kind
    if col.type in ("integer", "number"):
        kind = "number"
    elif col.type in ("string", "date", "boolean"):
        kind = col.type  # type: ignore[assignment]  # narrowed by the tuple above
    elif len(kinds) > 1:
        return f"input '{col.id}' mixes {sorted(kinds)}; declare its type"
    else:
        kind = kinds.pop() if kinds else "number"
    domain = Domain(kind, col.type == "integer" or kind in ("date", "boolean"))
    if col.values is not None:
        return Domain(domain.kind, domain.discrete, col.values.value_set(domain).bounds)
    if kind == "string":  # no declared list: the values the rules name are all there are
        named = {t.low for e in entries for t in e.tests if t.kind == "string" and t.low == t.high}
        return Domain("string", False, tuple((v, True, v, True) for v in sorted(named)))
    return domain


def analyse(table: DecisionTable) -> Analysis:
    """Find overlapping rules (UNIQUE, ANY) and input combinations no rule covers.

    Each input column is a set of values (intervals of numbers or dates, texts, booleans);
    two rules overlap when their entries intersect in every column. Gaps are found by
    cutting each column at every bound the rules use and checking each combination of
    pieces, up to MAX_CELLS combinations. Null inputs are not considered.
    """
    domains = []
    for c, col in enumerate(table.inputs):
        domain = _domain(col, [r.inputs[c] for r in table.rules])
        if isinstance(domain, str):
            return Analysis(table.id, notes=(domain + "; analysis skipped",),
                            source=table.source_name)
        domains.append(domain)
    sets = [[e.value_set(d) for e, d in zip(r.inputs, domains, strict=True)]
            for r in table.rules]
    overlaps, notes = [], []
    if table.hit_policy in ("UNIQUE", "ANY"):
        for (i, a), (j, b) in itertools.combinations(enumerate(sets), 2):
            common = [x.intersect(y) for x, y in zip(a, b, strict=True)]
            if any(c.is_empty() for c in common):
                continue
            ra, rb = table.rules[i], table.rules[j]
            if table.hit_policy == "ANY":
                if any(e.expression for e in ra.outputs + rb.outputs):
                    notes.append(f"rules {ra.number} and {rb.number} overlap and compute their "
                                 "outputs; check that they agree")
                    continue
                if [e.literal for e in ra.outputs] == [e.literal for e in rb.outputs]:
                    continue
            example = {col.id: to_feel(c.witness()) for col, c in zip(table.inputs, common,
                                                                       strict=True)}
            overlaps.append(Overlap((ra.number, rb.number), example))
    gaps, count, note = _gaps(table, domains, sets)
    return Analysis(table.id, tuple(overlaps), tuple(gaps), count,
                    tuple(notes + ([note] if note else [])), table.source_name)


def _pieces(domain: Domain, column: list[IntervalSet]) -> list[IntervalSet]:
    """The column cut at every bound used, as pieces inside the domain."""
    keys = sorted({k for s in column + [domain.universe] for b in s.bounds
                   for k in (b[0], b[2]) if k is not None})
    bounds = [(None, True, keys[0], False)] if keys else [(None, True, None, True)]
    for k, nxt in itertools.zip_longest(keys, keys[1:]):
        bounds += [(k, True, k, True), (k, False, nxt, False)]
    pieces = [IntervalSet.of(domain, [b]).intersect(domain.universe) for b in bounds]
    return [p for p in pieces if not p.is_empty()]


def _gaps(table: DecisionTable, domains: list[Domain],
          sets: list[list[IntervalSet]]) -> tuple[list[Gap], int, str | None]:
    pieces = [_pieces(d, [s[c] for s in sets]) for c, d in enumerate(domains)]
    cells = 1
    for p in pieces:
        cells *= len(p)
    if cells > MAX_CELLS:
        return [], 0, f"{cells} input combinations; gap analysis skipped (limit {MAX_CELLS})"
    covered = [[frozenset(k for k, p in enumerate(pieces[c])
                          if s[c].contains(domains[c].key(p.witness()))) for c in range(len(s))]
               for s in sets]
    missing: dict[tuple[int, ...], list[int]] = {}
    for cell in itertools.product(*(range(len(p)) for p in pieces)):
        if not any(all(k in cov[c] for c, k in enumerate(cell)) for cov in covered):
            missing.setdefault(cell[:-1], []).append(cell[-1])
    last = len(domains) - 1
    # merge along the last column, then along the one before it when the tails agree
    rows: dict[tuple[tuple[int, ...], frozenset[int]], list[int]] = {}
    for head, found in missing.items():
        rows.setdefault((head[:-1], frozenset(found)), []).append(head[-1] if head else -1)

    def merged(column: int, keys: Sequence[int]) -> str:
        found = IntervalSet.empty(domains[column])
        for k in keys:
            found = found.union(pieces[column][k])
        return found.to_feel()

    gaps = []
    for (start, ends), befores in list(rows.items())[:20]:
        entries = {table.inputs[c].id: pieces[c][k].to_feel() for c, k in enumerate(start)}
        if last:
            entries[table.inputs[last - 1].id] = merged(last - 1, befores)
        entries[table.inputs[last].id] = merged(last, sorted(ends))
        gaps.append(Gap(entries))
    return gaps, sum(len(t) for t in missing.values()), None
