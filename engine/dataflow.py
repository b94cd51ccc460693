"""Data flow through the diagrams (issue 10: validation that understands the process). Every name an
expression reads — conditions, form rules (required_if, min_items, show_if, team_member,
differs_from), timers, DMN input expressions, loop and completion expressions — and the team a
lane takes from the data (H-R1.5: every task has a team) must be set on every path that reaches it:
by a form field upstream, a DMN output, an operation's declared output (domain/process_data.py), a message
or a case field. A form field's ``prefill_from`` only proposes: its names must be set somewhere (or be a
declared proposal, domain/process_data.py PROPOSALS), but may be missing on a path. A name set on no path is an error saying where it could have come from ("did you
mean …"); a name set on only some paths is a warning naming the path without it."""
from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass, field

from lxml import etree

from domain.errors import UnsafeExpression
from domain.expressions import check_expression
from domain.process_data import PROPOSALS
from engine.diagram_xml import BPMN, CAMUNDA, Problem
from engine.timer_checks import ISO_ATTEMPT

FLOW_NODES = {"startEvent", "endEvent", "userTask", "serviceTask", "businessRuleTask", "callActivity",
              "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "task", "manualTask",
              "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent", "sendTask", "receiveTask",
              "subProcess"}
JUEL_NAMES = {"null": "None", "true": "True", "false": "False", "nil": "None", "undefined": "None"}


def names_read(text: str) -> set[str]:
    """Data names an expression reads (not the functions it calls); empty if it is not an expression."""
    try:
        tree = check_expression(text)
    except UnsafeExpression:
        return set()
    called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - called


@dataclass
class Read:
    element: etree._Element      # where the problem is reported
    names: set[str]
    what: str                    # "condition", "timer", "form rule of field x", …
    at: str                      # node id whose state applies
    extra: set[str] = field(default_factory=set)   # names available there besides the state (own form)
    is_team: bool = False
    optional: bool = False       # a proposal (prefill_from): a name missing on a path proposes nothing


class DataFlow:
    def __init__(self, trees: dict[str, etree._Element], *, case_fields, outputs, dmn_outputs, dmn_inputs,
                 lanes, lane_rules):
        """dmn_outputs/dmn_inputs: decision id -> output names / input expressions; lanes: node id ->
        lane id; lane_rules: lane id -> the data key holding the team (lanes with a fixed team: absent)."""
        self.trees, self.case_fields, self.outputs = trees, set(case_fields), outputs
        self.dmn_outputs, self.dmn_inputs, self.lanes, self.lane_rules = dmn_outputs, dmn_inputs, lanes, lane_rules
        self.nodes: dict[str, etree._Element] = {}
        self.file_of: dict[str, str] = {}
        self.preds: dict[str, list[tuple[str, bool]]] = {}     # node -> [(pred, entry_state_of_pred)]
        self.process_of: dict[str, str] = {}
        self.processes: dict[str, etree._Element] = {}
        self.producers: dict[str, list[str]] = {n: ["a case field"] for n in self.case_fields}
        self.producers.update({n: ["a proposal an integration adds to the case (prefill_from only)"]
                               for n in PROPOSALS if n not in self.producers})
        for file_name, root in trees.items():
            for process in root.iter(f"{{{BPMN}}}process"):
                self.processes[process.get("id")] = process
                self._graph(file_name, process)
        self.messages = {m.get("id"): m.get("name") for root in trees.values() for m in root.iter(f"{{{BPMN}}}message")}

    # ------------------------------------------------------------ graph
    def _graph(self, file_name, process):
        for node in process:
            if isinstance(node.tag, str) and etree.QName(node).localname in FLOW_NODES and node.get("id"):
                self.nodes[node.get("id")] = node
                self.file_of[node.get("id")] = file_name
                self.process_of[node.get("id")] = process.get("id")
                self.preds.setdefault(node.get("id"), [])
        for flow in process.findall(f"{{{BPMN}}}sequenceFlow"):
            self.preds.setdefault(flow.get("targetRef"), []).append((flow.get("sourceRef"), False))
        for node in process.findall(f"{{{BPMN}}}boundaryEvent"):
            self.preds[node.get("id")].append((node.get("attachedToRef"), True))

    def gen(self, node_id: str, end_state) -> set[str]:
        node = self.nodes[node_id]
        kind = etree.QName(node).localname
        if kind == "userTask":
            return {f.get("id") for f in node.iter(f"{{{CAMUNDA}}}formField") if f.get("id")}
        if kind == "serviceTask":
            topic = node.get(f"{{{CAMUNDA}}}topic") or ""
            names = set(self.outputs.get(topic, ()))
            if topic == "clear_variables":
                for param in node.iter(f"{{{CAMUNDA}}}inputParameter"):
                    names |= {n.strip() for n in (param.text or "").split(",") if n.strip()}
            return names
        if kind == "businessRuleTask":
            return set(self.dmn_outputs.get(node.get(f"{{{CAMUNDA}}}decisionRef"), ()))
        if kind == "callActivity":
            return end_state.get(node.get("calledElement"), set())
        message = node.find(f"{{{BPMN}}}messageEventDefinition")
        if message is not None and self.messages.get(message.get("messageRef")):
            return {self.messages[message.get("messageRef")]}
        return set()

    def _record_producers(self):
        for node_id, node in self.nodes.items():
            kind = etree.QName(node).localname
            label = f"«{node.get('name') or node_id}» ({node_id})"
            source = {"userTask": f"the form of {label}", "businessRuleTask": f"{node.get(f'{{{CAMUNDA}}}decisionRef')}.dmn",
                      "serviceTask": f"operation {node.get(f'{{{CAMUNDA}}}topic')} in {label}"}.get(kind, label)
            for name in self.gen(node_id, {}):
                self.producers.setdefault(name, [])
                if source not in self.producers[name]:
                    self.producers[name].append(source)

    # ------------------------------------------------------------ analysis
    def solve(self, main: str) -> None:
        """must/may sets at the entry of every node; called processes start with their callers' data."""
        self._record_producers()
        entry = {main: (set(self.case_fields), set(self.case_fields))}
        end: dict[str, tuple[set, set]] = {}
        self.must_in: dict[str, set | None] = {}
        self.may_in: dict[str, set] = {}
        for _ in range(12):
            before = (repr(sorted((k, sorted(v[0]), sorted(v[1])) for k, v in entry.items())),
                      repr(sorted((k, sorted(v[0]), sorted(v[1])) for k, v in end.items())))
            for process_id, (must0, may0) in list(entry.items()):
                self._solve_process(process_id, must0, may0, end)
            calls: dict[str, list[str]] = {}
            for node_id, node in self.nodes.items():
                if etree.QName(node).localname == "callActivity" and self.must_in.get(node_id) is not None:
                    calls.setdefault(node.get("calledElement"), []).append(node_id)
            for called, sites in calls.items():
                if called in self.processes and called != main:
                    entry[called] = (set.intersection(*(self.must_in[s] for s in sites)),
                                     set.union(*(self.may_in[s] for s in sites)))
            after = (repr(sorted((k, sorted(v[0]), sorted(v[1])) for k, v in entry.items())),
                     repr(sorted((k, sorted(v[0]), sorted(v[1])) for k, v in end.items())))
            if after == before:
                break

    def _solve_process(self, process_id, must0, may0, end):
        ids = [i for i, p in self.process_of.items() if p == process_id]
        must_out_end = {k: v[0] for k, v in end.items()}
        may_out_end = {k: v[1] for k, v in end.items()}
        for node_id in ids:
            self.must_in.setdefault(node_id, None)
            self.may_in.setdefault(node_id, set())
        for _ in range(len(ids) + 5):
            changed = False
            for node_id in ids:
                preds = self.preds.get(node_id, [])
                if not preds:
                    must, may = (set(must0), set(may0)) if etree.QName(self.nodes[node_id]).localname == "startEvent" \
                        else (None, set())
                else:
                    states = [self._edge(p, entry_state, must_out_end, may_out_end) for p, entry_state in preds]
                    musts = [m for m, _ in states if m is not None]
                    must = set.intersection(*musts) if musts else None
                    may = set().union(*(m for _, m in states))
                if must != self.must_in[node_id] or may != self.may_in[node_id]:
                    self.must_in[node_id], self.may_in[node_id], changed = must, may, True
            if not changed:
                break
        ends = [i for i in ids if etree.QName(self.nodes[i]).localname == "endEvent" and self.must_in[i] is not None]
        if ends:
            end[process_id] = (set.intersection(*(self.must_in[i] for i in ends)),
                               set.union(*(self.may_in[i] for i in ends)))

    def _edge(self, pred, entry_state, must_end, may_end):
        if pred not in self.nodes or self.must_in.get(pred) is None:
            return None, self.may_in.get(pred, set())
        if entry_state:
            return set(self.must_in[pred]), set(self.may_in[pred])
        return (self.must_in[pred] | self.gen(pred, must_end),
                self.may_in[pred] | self.gen(pred, may_end))

    # ------------------------------------------------------------ reads
    def reads(self) -> list[tuple[Read, bool]]:
        """(read, after) pairs; `after`: the state after the node (a condition on its outgoing flow)."""
        found: list[tuple[Read, bool]] = []
        for root in self.trees.values():
            for flow in root.iter(f"{{{BPMN}}}sequenceFlow"):
                condition = flow.find(f"{{{BPMN}}}conditionExpression")
                if condition is not None and flow.get("sourceRef") in self.nodes:
                    found.append((Read(flow, names_read(condition.text or ""), "condition", flow.get("sourceRef")), True))
        for node_id, node in self.nodes.items():
            kind = etree.QName(node).localname
            for tag in ("timeDuration", "timeDate", "timeCycle"):
                for timer in node.iter(f"{{{BPMN}}}{tag}"):   # ISO near-misses: the timer check's message
                    names = {n for n in names_read(timer.text or "") if not ISO_ATTEMPT.match(n)}
                    found.append((Read(node, names, "timer", node_id), False))
            for tag in ("loopCardinality", "completionCondition"):
                for expr in node.iter(f"{{{BPMN}}}{tag}"):
                    found.append((Read(node, names_read(expr.text or ""), tag, node_id), False))
            if kind == "businessRuleTask":
                for text in self.dmn_inputs.get(node.get(f"{{{CAMUNDA}}}decisionRef"), ()):
                    found.append((Read(node, names_read(text), "DMN input expression", node_id), False))
            if kind == "userTask":
                own = {f.get("id") for f in node.iter(f"{{{CAMUNDA}}}formField")}
                for f in node.iter(f"{{{CAMUNDA}}}formField"):
                    texts = [c.get("config") or "" for c in f.iter(f"{{{CAMUNDA}}}constraint")
                             if c.get("name") in ("required_if", "show_if")]
                    texts += [(c.get("config") or "").partition(" if ")[2] for c in f.iter(f"{{{CAMUNDA}}}constraint")
                              if c.get("name") == "min_items"]
                    texts += [p.get("value") or "" for p in f.iter(f"{{{CAMUNDA}}}property") if p.get("id") == "show_if"]
                    names = set().union(*(names_read(t) for t in texts if t.strip()))
                    names |= {c.get("config") for c in f.iter(f"{{{CAMUNDA}}}constraint")
                              if c.get("name") in ("team_member", "differs_from") and c.get("config")}
                    if names:
                        found.append((Read(node, names, f"form rule of field {f.get('id')}", node_id, own), False))
                    proposal = [p.get("value") or "" for p in f.iter(f"{{{CAMUNDA}}}property")
                                if p.get("id") == "prefill_from"]
                    if proposal and proposal[0].strip():
                        found.append((Read(node, names_read(proposal[0]), f"prefill_from of field {f.get('id')}",
                                           node_id, own, optional=True), False))
                rule = self.lane_rules.get(self.lanes.get(node_id) or "")
                if rule:
                    found.append((Read(node, {rule}, "team", node_id, is_team=True), False))
        return found

    def check(self) -> list[Problem]:
        problems = []
        for read, after in self.reads():
            must = self.must_in.get(read.at)
            if must is None:
                continue   # not reachable from the main process (or not analysed)
            may = self.may_in[read.at] | read.extra
            must = must | read.extra
            if after:
                must, may = must | self.gen(read.at, {}), may | self.gen(read.at, {})
            for name in sorted(read.names):
                if name in must or (read.optional and (name in may or name in PROPOSALS)):
                    continue
                message = (self._some_paths(name, read) if name in may else self._never(name))
                if read.is_team:
                    where = self._path(name, read) if name in may else "any path"
                    message = (f'the task could be created with no team: its lane takes the team from "{name}", '
                               f"which is not set on {where}")
                elif read.what != "condition":
                    message = f"{read.what}: {message}"
                severity = "warning" if name in may and not read.is_team else "error"
                problems.append(Problem(self.file_of.get(read.at, "?"), read.element.sourceline,
                                        read.element.get("id"), message, read.element.get("name"), severity))
        return problems

    def _never(self, name: str) -> str:
        if name in JUEL_NAMES:
            return f'"{name}" is JUEL/FEEL spelling; write {JUEL_NAMES[name]}'
        if name in self.producers:
            return (f'"{name}" is not set on any path to here (it is set by {self.producers[name][0]}, '
                    "which does not come before this point)")
        close = difflib.get_close_matches(name, sorted(self.producers), n=1, cutoff=0.7)
        if close:
            return f'"{name}" is never set; did you mean "{close[0]}" (set by {self.producers[close[0]][0]})?'
        return (f'"{name}" is never set (not by a form field upstream, a DMN output, an operation '
                "(domain/process_data.py) or a case field)")

    def _some_paths(self, name: str, read: Read) -> str:
        return f'"{name}" is set on only some paths to here; not on {self._path(name, read)}'

    def _path(self, name: str, read: Read) -> str:
        path, current, seen = [], read.at, set()
        while current not in seen and len(path) < 6:
            seen.add(current)
            lacking = [p for p, entry in self.preds.get(current, []) if p in self.nodes
                       and self.must_in.get(p) is not None and name not in self.must_in[p]
                       and (entry or name not in self.gen(p, {}))]
            if not lacking:
                break
            lacking.sort(key=lambda p: name in self.may_in.get(p, set()))   # where it was never set first
            current = lacking[0]
            path.append(f"«{self.nodes[current].get('name') or current}»")
        return "the path through " + (" ← ".join(path) or "the start")
