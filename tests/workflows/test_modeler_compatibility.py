"""The shipped diagrams open in Camunda Modeler and bpmn-js: bpmn-moddle (with the Camunda extension)
imports them without warnings, every flow element has DI, and bpmnlint's recommended rules pass."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DIAGRAMS = sorted((ROOT / "workflows" / "bpmn").glob("*.bpmn"))
MODULES = ROOT / "node_modules"

needs_node = pytest.mark.skipif(
    not shutil.which("node") or not (MODULES / "bpmn-moddle").is_dir() or not (MODULES / "bpmnlint").is_dir(),
    reason="node and the npm packages (.ci/ensure-npm-deps) are needed")


@needs_node
def test_diagrams_import_without_warnings_and_with_full_di():
    result = subprocess.run(["node", str(Path(__file__).with_name("modeler_import.mjs")), *map(str, DIAGRAMS)],
                            capture_output=True, text=True, cwd=ROOT, timeout=60, check=True)
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["file"] for r in rows] == [d.name for d in DIAGRAMS]
    for row, diagram in zip(rows, DIAGRAMS):
        assert row["warnings"] == [], row
        text = diagram.read_text(encoding="utf-8")
        elements = text.count("<bpmn:sequenceFlow ") + sum(text.count(f"<bpmn:{tag} ") for tag in (
            "userTask", "serviceTask", "businessRuleTask", "callActivity", "exclusiveGateway", "eventBasedGateway",
            "startEvent", "endEvent", "boundaryEvent", "intermediateCatchEvent", "lane", "participant", "subProcess"))
        assert row["planes"] == [elements], (diagram.name, row["planes"], elements)


@needs_node
def test_bpmnlint_recommended_rules_pass():
    result = subprocess.run([str(MODULES / ".bin" / "bpmnlint"), *map(str, DIAGRAMS)], capture_output=True,
                            text=True, cwd=ROOT, timeout=60, env={**os.environ, "NO_COLOR": "1"})
    assert result.returncode == 0, result.stdout + result.stderr
