"""Automatic left-to-right layout of a process, for the BPMN diagram interchange (DI).

Per scope (the process, then each sub-process inside out): back edges are found by a
depth-first search from the start events and set aside, so the rest is a DAG; nodes get
the layer of their longest path from a source; a few barycenter sweeps order each layer
to reduce crossings; layers become columns and the nodes of a column are stacked around
the middle line. A sub-process is laid out expanded, with its content inside, and then
placed as one big node. Forward flows are drawn as orthogonal polylines, back edges run
below everything. With lanes, each top-level node gets the lane of its role (user steps)
or of its nearest neighbour, and columns are stacked per lane band.
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
H_GAP, V_GAP, MARGIN, SUB_PAD, BACK_GAP = 60, 40, 50, 30, 20
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


@dataclass
class Layout:
    """Absolute bounds per element id, waypoints per flow id, lanes as (role, bounds)."""

    shapes: dict[str, Box] = field(default_factory=dict)
    edges: dict[str, list[Point]] = field(default_factory=dict)
    lanes: list[tuple[str, Box]] = field(default_factory=list)
    pool: Box | None = None
    back: set[str] = field(default_factory=set)
    bands: dict[str, tuple[float, float]] = field(default_factory=dict)
    lane_of: dict[str, str] = field(default_factory=dict)


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


def _layers(nodes: list[str], dag: list[SequenceFlow]) -> list[list[str]]:
    preds: dict[str, list[str]] = {n: [] for n in nodes}
    succs: dict[str, list[str]] = {n: [] for n in nodes}
    for f in dag:
        preds[f.target].append(f.source)
        succs[f.source].append(f.target)
    indegree = {n: len(preds[n]) for n in nodes}
    layer = {n: 0 for n in nodes}
    ready = [n for n in nodes if indegree[n] == 0]
    while ready:
        node = ready.pop(0)
        for nxt in succs[node]:
            layer[nxt] = max(layer[nxt], layer[node] + 1)
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                ready.append(nxt)
    columns: list[list[str]] = [[] for _ in range(max(layer.values(), default=0) + 1)]
    for n in nodes:
        columns[layer[n]].append(n)
    for _ in range(4):  # barycenter sweeps, down then up
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
    return columns


def _scope(elements: tuple[Element, ...], flows: tuple[SequenceFlow, ...], out: Layout,
           margin: float, lane_of: dict[str, str] | None = None,
           lane_order: list[str] | None = None) -> tuple[dict[str, Box], float, float]:
    """Boxes (nested ones included) relative to the scope's origin; its width and height."""
    inner: dict[str, tuple[float, float]] = {}
    inner_boxes: dict[str, dict[str, Box]] = {}
    for e in elements:
        if isinstance(e, SubProcess):
            nested, w, h = _scope(e.elements, e.flows, out, SUB_PAD)
            inner[e.id] = (w, h)
            inner_boxes[e.id] = nested
    nodes = [e.id for e in elements]
    starts = [e.id for e in elements if isinstance(e, StartEvent)]
    back = _back_edges(nodes, list(flows), starts)
    out.back |= back
    columns = _layers(nodes, [f for f in flows if f.id not in back])
    sizes = {e.id: size(e, inner) for e in elements}
    bands = lane_order or [""]

    def band_of(n: str) -> str:
        return lane_of.get(n, bands[0]) if lane_of else ""

    def stack_height(stack: list[str]) -> float:
        return sum(sizes[n][1] for n in stack) + V_GAP * max(len(stack) - 1, 0)

    band_height = {b: 0.0 for b in bands}
    for col in columns:
        for band in bands:
            stack = [n for n in col if band_of(n) == band]
            band_height[band] = max(band_height[band], stack_height(stack))
    band_top: dict[str, float] = {}
    top = 0.0
    for band in bands:
        pad = LANE_PAD if lane_of else margin
        band_height[band] = max(band_height[band] + 2 * pad, LANE_MIN if lane_of else 0)
        band_top[band] = top
        top += band_height[band]
    if lane_of:
        out.bands = {b: (band_top[b], band_height[b]) for b in bands}
    boxes: dict[str, Box] = {}
    x = margin
    for col in columns:
        width = max(sizes[n][0] for n in col)
        for band in bands:
            stack = [n for n in col if band_of(n) == band]
            y = band_top[band] + (band_height[band] - stack_height(stack)) / 2
            for n in stack:
                w, h = sizes[n]
                boxes[n] = Box(x + (width - w) / 2, y, w, h)
                y += h + V_GAP
        x += width + H_GAP
    for sub, sub_boxes in inner_boxes.items():
        origin = boxes[sub]
        for n, b in sub_boxes.items():
            boxes[n] = Box(b.x + origin.x, b.y + origin.y, b.w, b.h)
    loops = sum(1 for f in flows if f.id in back)
    return boxes, x - H_GAP + margin, top + (BACK_GAP * (loops + 1) if loops else 0)


def _route(elements: tuple[Element, ...], flows: tuple[SequenceFlow, ...], out: Layout) -> None:
    """Waypoints of every flow, from the final (absolute) boxes."""
    boxes = out.shapes
    bottom = max((boxes[e.id].y + boxes[e.id].h for e in elements), default=0.0)
    k = 0
    for f in flows:
        src, tgt = boxes[f.source], boxes[f.target]
        if f.id in out.back:
            k += 1
            y = bottom + BACK_GAP * k
            out.edges[f.id] = [(src.cx, src.y + src.h), (src.cx, y), (tgt.cx, y),
                               (tgt.cx, tgt.y + tgt.h)]
            continue
        start, end = (src.x + src.w, src.cy), (tgt.x, tgt.cy)
        if abs(start[1] - end[1]) < 1:
            out.edges[f.id] = [start, end]
        else:
            mid = src.x + src.w + H_GAP / 2
            out.edges[f.id] = [start, (mid, start[1]), (mid, end[1]), end]
    for e in elements:
        if isinstance(e, SubProcess):
            _route(e.elements, e.flows, out)


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
    boxes, width, height = _scope(definition.elements, definition.flows, out, 0.0,
                                  lane_of or None, order or None)
    dx = MARGIN + (LANE_HEADER if lanes else 0)
    for b in boxes.values():
        b.x += dx
        b.y += MARGIN
    out.shapes = boxes
    _route(definition.elements, definition.flows, out)
    if lanes:
        out.pool = Box(MARGIN, MARGIN, width + LANE_HEADER + 2 * LANE_PAD, height)
        for b in boxes.values():
            b.x += LANE_PAD
        out.edges.clear()
        _route(definition.elements, definition.flows, out)
        for role in order:
            band_top, band_height = out.bands[role]
            out.lanes.append((role, Box(MARGIN + LANE_HEADER, MARGIN + band_top,
                                        out.pool.w - LANE_HEADER, band_height)))
    return out
