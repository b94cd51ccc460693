"""What is kept of a process once it has ended (issue 15): the path it took and its final data, not
SpiffWorkflow's task tree.

A running workflow is stored whole (every task, its parent and children by UUID, its state and time):
the engine needs all of it to go on. Once the workflow has completed nothing goes on — the case is
closed, cancelled or otherwise ended, and no service reopens an ended process (a customer who says
the problem is back reopens within the running process, before closure; H-S1). What people read of an
ended process afterwards is where it went (the case's position on its diagrams, services.definitions)
and the data it ended with. Camunda does the same: a finished instance's runtime rows go, its history
stays. Measured on the standard path: a closed case's state 4.1 KB (zstd with the dictionary) against
0.8 KB for this record.

The record is JSON, compressed like a state (engine.state_codec): ``{"ended": 1, "path": [bpmn ids of
the completed elements, in the order the library lists them], "data": the final data as the library's
serializer converts it}``. Loading it as a workflow is refused with ProcessEnded."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.errors import InvalidState

MARK = "ended"


class ProcessEnded(InvalidState):
    """The process has ended: only its path and final data are kept, no workflow to run."""


@dataclass(frozen=True)
class EndedProcess:
    path: list[str]
    data: dict[str, Any]


def record(path: list[str], data: dict[str, Any]) -> dict[str, Any]:
    """The dictionary stored for an ended process (``data`` already converted to JSON values)."""
    return {MARK: 1, "path": list(path), "data": data}


def is_record(dct: dict[str, Any]) -> bool:
    return dct.get(MARK) == 1 and "tasks" not in dct
