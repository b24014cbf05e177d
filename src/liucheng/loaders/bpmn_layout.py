"""Automatic left-to-right layout of a process, for the BPMN diagram interchange (DI).

Per scope (the process, then each sub-process inside out), the classic layered method:
back edges are found by a depth-first search from the start events and set aside, so
the rest is a DAG; each node gets the layer of its longest path from a source; a flow
spanning several layers gets a placeholder in each layer it crosses, so it has its own
lane through every column; a few barycenter sweeps order each layer to reduce
crossings; layers become columns whose nodes are stacked around the middle line. Flows
are orthogonal polylines turning in the gaps between columns; back edges run below the
scope. A sub-process is laid out expanded, with its content inside, then placed as one
big node. With lanes, each top-level node gets the lane of its role (user steps) or of
its nearest neighbour, and every column is stacked per lane band.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from liucheng.model import (
    Element,
    EndEvent,
    ProcessDefinition,
    SequenceFlow,
    ServiceTask,
    StartEvent,
    SubProcess,
    UserTask,
)
from liucheng.model.elements import GATEWAYS

TASK = (100, 80)
EVENT = (36, 36)
GATEWAY = (50, 50)
H_GAP, V_GAP, MARGIN, SUB_PAD, BACK_GAP, DUMMY_H = 60, 40, 50, 30, 20, 10
LANE_HEADER, LANE_MIN, LANE_PAD = 30, 140, 30
Point = tuple[float, float]


@dataclass
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def moved(self, dx: float, dy: float) -> Box:
        return Box(self.x + dx, self.y + dy, self.w, self.h)


@dataclass
class Layout:
    """Absolute bounds per element id, waypoints per flow id, lanes as (role, bounds)."""

    shapes: dict[str, Box] = field(default_factory=dict)
    edges: dict[str, list[Point]] = field(default_factory=dict)
    lanes: list[tuple[str, Box]] = field(default_factory=list)
    pool: Box | None = None
    back: set[str] = field(default_factory=set)
    lane_of: dict[str, str] = field(default_factory=dict)


@dataclass
class _Scope:
    """A laid-out scope in its own coordinates (origin at its top left)."""

    boxes: dict[str, Box]
    edges: dict[str, list[Point]]
    width: float
    height: float
    bands: dict[str, tuple[float, float]] = field(default_factory=dict)

    def moved(self, dx: float, dy: float) -> tuple[dict[str, Box], dict[str, list[Point]]]:
        return ({k: b.moved(dx, dy) for k, b in self.boxes.items()},
                {k: [(x + dx, y + dy) for x, y in pts] for k, pts in self.edges.items()})


def size(element: Element, inner: dict[str, tuple[float, float]]) -> tuple[float, float]:
    if isinstance(element, (StartEvent, EndEvent)):
        return EVENT
    if isinstance(element, GATEWAYS):
        return GATEWAY
    if isinstance(element, SubProcess):
        return inner[element.id]
    if isinstance(element, ServiceTask) and element.extensions.get("bpmn_type") == (
            "intermediateThrowEvent"):
        return EVENT
    if "event" in element.kind:
        return EVENT
    return GATEWAY if "gateway" in element.kind else TASK


def _back_edges(nodes: list[str], flows: list[SequenceFlow], starts: list[str]) -> set[str]:
    out: dict[str, list[SequenceFlow]] = {n: [] for n in nodes}
    for f in flows:
        out[f.source].append(f)
    state: dict[str, int] = {}
    back: set[str] = set()
    for root in starts + nodes:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(out[root]))]
        while stack:
            node, edges = stack[-1]
            flow = next(edges, None)
            if flow is None:
                state[node] = 2
                stack.pop()
            elif state.get(flow.target) == 1:
                back.add(flow.id)
            elif flow.target not in state:
                state[flow.target] = 1
                stack.append((flow.target, iter(out[flow.target])))
    return back


def _layering(nodes: list[str], dag: list[SequenceFlow]) -> dict[str, int]:
    """Longest-path layer of each node of the DAG (Kahn's order)."""
    succs: dict[str, list[str]] = {n: [] for n in nodes}
    indegree = dict.fromkeys(nodes, 0)
    for f in dag:
        succs[f.source].append(f.target)
        indegree[f.target] += 1
    layer = dict.fromkeys(nodes, 0)
    ready = [n for n in nodes if indegree[n] == 0]
    while ready:
        node = ready.pop(0)
        for nxt in succs[node]:
            layer[nxt] = max(layer[nxt], layer[node] + 1)
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                ready.append(nxt)
    return layer


def _order(columns: list[list[str]], links: list[tuple[str, str]]) -> None:
    """Barycenter sweeps (down, then up) that reorder each column in place."""
    preds: dict[str, list[str]] = {n: [] for col in columns for n in col}
    succs: dict[str, list[str]] = {n: [] for col in columns for n in col}
    for a, b in links:
        succs[a].append(b)
        preds[b].append(a)
    for _ in range(4):
        for forward in (True, False):
            order = range(1, len(columns)) if forward else range(len(columns) - 2, -1, -1)
            for i in order:
                pos = {n: k for col in columns for k, n in enumerate(col)}
                link = preds if forward else succs

                def key(n: str, link: dict[str, list[str]] = link,
                        pos: dict[str, int] = pos) -> float:
                    near = [pos[m] for m in link[n]]
                    return sum(near) / len(near) if near else pos[n]

                columns[i].sort(key=key)


def _scope(elements: tuple[Element, ...], flows: tuple[SequenceFlow, ...], out: Layout,
           margin: float, lane_of: dict[str, str] | None = None,
           lane_order: list[str] | None = None) -> _Scope:
    inner = {e.id: _scope(e.elements, e.flows, out, SUB_PAD)
             for e in elements if isinstance(e, SubProcess)}
    nodes = [e.id for e in elements]
    back = _back_edges(nodes, list(flows), [e.id for e in elements if isinstance(e, StartEvent)])
    out.back |= back
    dag = [f for f in flows if f.id not in back]
    layer = _layering(nodes, dag)
    sizes = {e.id: size(e, {k: (s.width, s.height) for k, s in inner.items()})
             for e in elements}
    columns: list[list[str]] = [[] for _ in range(max(layer.values(), default=0) + 1)]
    for n in nodes:
        columns[layer[n]].append(n)
    chains: dict[str, list[str]] = {}
    links: list[tuple[str, str]] = []
    for f in dag:  # a placeholder per crossed column keeps long flows clear of nodes
        prev = f.source
        chains[f.id] = []
        for k in range(layer[f.source] + 1, layer[f.target]):
            dummy = f"~{f.id}~{k}"
            columns[k].append(dummy)
            sizes[dummy] = (0, DUMMY_H)
            chains[f.id].append(dummy)
            links.append((prev, dummy))
            prev = dummy
        links.append((prev, f.target))
    _order(columns, links)
    bands = lane_order or [""]

    source_of = {d: f.source for f in dag for d in chains[f.id]}

    def band_of(n: str) -> str:
        return lane_of.get(source_of.get(n, n), bands[0]) if lane_of else ""

    def stack_height(stack: list[str]) -> float:
        return sum(sizes[n][1] for n in stack) + V_GAP * max(len(stack) - 1, 0)

    height_of = dict.fromkeys(bands, 0.0)
    for col in columns:
        for band in bands:
            height_of[band] = max(height_of[band],
                                  stack_height([n for n in col if band_of(n) == band]))
    tops: dict[str, float] = {}
    top = 0.0
    for band in bands:
        pad = LANE_PAD if lane_of else margin
        height_of[band] = max(height_of[band] + 2 * pad, LANE_MIN if lane_of else 0)
        tops[band], top = top, top + height_of[band]
    boxes: dict[str, Box] = {}
    x = margin
    for col in columns:
        width = max((sizes[n][0] for n in col), default=0)
        for band in bands:
            stack = [n for n in col if band_of(n) == band]
            y = tops[band] + (height_of[band] - stack_height(stack)) / 2
            for n in stack:
                w, h = sizes[n]
                boxes[n] = Box(x, y, width, h) if n.startswith("~") else Box(
                    x + (width - w) / 2, y, w, h)
                y += h + V_GAP
        x += width + H_GAP
    edges = {f.id: _forward(boxes[f.source], [boxes[d] for d in chains[f.id]], boxes[f.target])
             for f in dag}
    bottom = max((boxes[n].y + boxes[n].h for n in nodes), default=0.0)
    loops = [f for f in flows if f.id in back]
    for k, f in enumerate(loops, 1):
        src, tgt = boxes[f.source], boxes[f.target]
        y = bottom + BACK_GAP * k
        edges[f.id] = [(src.cx, src.y + src.h), (src.cx, y), (tgt.cx, y), (tgt.cx, tgt.y + tgt.h)]
    for sub, laid in inner.items():
        nested_boxes, nested_edges = laid.moved(boxes[sub].x, boxes[sub].y)
        boxes.update(nested_boxes)
        edges.update(nested_edges)
    for dummy in [n for n in boxes if n.startswith("~")]:
        del boxes[dummy]
    height = max(top, bottom + BACK_GAP * (len(loops) + 1)) if loops else top
    return _Scope(boxes, edges, x - H_GAP + margin, height,
                  {b: (tops[b], height_of[b]) for b in bands} if lane_of else {})


def _forward(src: Box, via: list[Box], tgt: Box) -> list[Point]:
    """From the source's right side to the target's left side, turning only in column gaps
    and crossing each column either at a placeholder's height or not at all."""
    points: list[Point] = [(src.x + src.w, src.cy)]
    right, y = src.x + src.w, src.cy
    for box in [*via, tgt]:
        turn = (right + box.x) / 2
        if abs(box.cy - y) >= 1:
            points += [(turn, y), (turn, box.cy)]
            y = box.cy
        right = box.x + box.w
    points.append((tgt.x, y))
    return points


def lane_assignment(definition: ProcessDefinition) -> tuple[dict[str, str], list[str]]:
    """Lane (role) of each top-level node: its role for user steps, else a neighbour's."""
    lane_of: dict[str, str] = {}
    for e in definition.elements:
        roles = e.roles if isinstance(e, UserTask) else ()
        if not roles and isinstance(e, SubProcess):
            roles = next((x.roles for x, _ in _walk(e) if isinstance(x, UserTask) and x.roles), ())
        if roles:
            lane_of[e.id] = roles[0]
    for _ in range(len(definition.elements)):
        changed = False
        for f in definition.flows:
            for a, b in ((f.source, f.target), (f.target, f.source)):
                if a in lane_of and b not in lane_of:
                    lane_of[b] = lane_of[a]
                    changed = True
        if not changed:
            break
    declared = [r.id for r in definition.roles]
    order = [r for r in declared if r in lane_of.values()]
    order += [r for r in dict.fromkeys(lane_of.values()) if r not in order]
    for e in definition.elements:
        if e.id not in lane_of and order:
            lane_of[e.id] = order[0]
    return lane_of, order


def _walk(sub: SubProcess) -> list[tuple[Element, str]]:
    out: list[tuple[Element, str]] = []
    for e in sub.elements:
        out.append((e, sub.id))
        if isinstance(e, SubProcess):
            out.extend(_walk(e))
    return out




def layout(definition: ProcessDefinition, lanes: bool = False) -> Layout:
    """Bounds and waypoints in absolute diagram coordinates."""
    out = Layout()
    lane_of, order = lane_assignment(definition) if lanes else ({}, [])
    out.lane_of = lane_of
    laid = _scope(definition.elements, definition.flows, out, 0.0, lane_of or None,
                  order or None)
    dx = MARGIN + (LANE_HEADER + LANE_PAD if lanes else 0)
    out.shapes, out.edges = laid.moved(dx, MARGIN)
    if lanes:
        out.pool = Box(MARGIN, MARGIN, laid.width + LANE_HEADER + 2 * LANE_PAD, laid.height)
        for i, role in enumerate(order):
            band_top, band_height = laid.bands[role]
            if i == len(order) - 1:  # the last lane also holds the back edges below
                band_height = laid.height - band_top
            out.lanes.append((role, Box(MARGIN + LANE_HEADER, MARGIN + band_top,
                                        out.pool.w - LANE_HEADER, band_height)))
    return out
