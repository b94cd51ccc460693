"""Reading diagram files safely and extracting what SpiffWorkflow ignores (lanes by id, Camunda
external-task topics and input parameters). Also normalises Camunda Modeler habits so they work:
a bare timer literal (PT10M) becomes the quoted expression "PT10M"; a ${…} condition loses the
wrapper. Hostile XML (DOCTYPE/entities, huge files) is refused before parsing."""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS = {"bpmn": BPMN, "camunda": CAMUNDA}
MAX_BYTES = 2_000_000
ISO_LITERAL = re.compile(r"^(R\d*/)?P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$"
                         r"|^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$")


class XmlProblem(Exception):
    def __init__(self, message: str, line: int | None = None):
        self.line = line
        super().__init__(message)


@dataclass
class Problem:
    file: str
    line: int | None
    element: str
    message: str
    name: str | None = None       # the element's human name (its label in the modeler)
    severity: str = "error"       # error | warning (a warning does not stop a deployment)

    def __str__(self) -> str:
        label = f" ({self.name})" if self.name and self.name != self.element else ""
        kind = "warning: " if self.severity == "warning" else ""
        return f"{self.file}:{self.line or 0}: {self.element}{label}: {kind}{self.message}"

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "element": self.element, "name": self.name,
                "severity": self.severity, "message": self.message}


_DECLARATION = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)(["'])([A-Za-z0-9._-]+)\2""")
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def normalise_source(text: str | bytes) -> str:
    """One text per diagram, whatever the editor saved: decoded by its BOM or XML declaration (UTF-8
    without one), LF line endings, the declaration saying UTF-8 (the text is parsed as UTF-8 bytes).
    A diagram that differs only in encoding or line endings is therefore the same version. Raises
    XmlProblem when the bytes are not text in the declared encoding."""
    if isinstance(text, bytes):
        text = _decode(text)
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return _DECLARATION.sub(lambda m: f"{m.group(1)}{m.group(2)}UTF-8{m.group(2)}", text, count=1)


def _decode(raw: bytes) -> str:
    if len(raw) > MAX_BYTES:
        raise XmlProblem(f"file is larger than {MAX_BYTES // 1_000_000} MB")
    encoding = next((name for bom, name in _BOMS if raw.startswith(bom)), None)
    if encoding is None:
        declared = _DECLARATION.match(raw[:200].decode("ascii", errors="replace"))
        encoding = declared.group(3) if declared else "utf-8"
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise XmlProblem(f"unknown encoding {encoding!r} in the XML declaration; save the file as UTF-8") from None
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise XmlProblem(f"the file is not valid {encoding} text (byte 0x{raw[exc.start]:02x} on line {line}); "
                         "save it as UTF-8 or declare its real encoding", line) from None


def parse_xml(text: str | bytes) -> etree._Element:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    if len(raw) > MAX_BYTES:
        raise XmlProblem(f"file is larger than {MAX_BYTES // 1_000_000} MB")
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        raise XmlProblem("DOCTYPE and entity declarations are not allowed in diagrams")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_blank_text=False)
    try:
        return etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as exc:
        raise XmlProblem(f"not well-formed XML: {exc.msg}", exc.lineno) from None


def normalise(root: etree._Element) -> None:
    """Make Camunda Modeler's usual syntax work (in place)."""
    for tag in ("timeDuration", "timeDate", "timeCycle"):
        for node in root.iter(f"{{{BPMN}}}{tag}"):
            text = (node.text or "").strip()
            if ISO_LITERAL.match(text):
                node.text = f'"{text}"'
    for node in root.iter(f"{{{BPMN}}}conditionExpression"):
        text = (node.text or "").strip()
        match = re.fullmatch(r"\$\{(.*)\}", text, re.S)
        if match:
            node.text = match.group(1).strip()


def lane_of(root: etree._Element) -> dict[str, str]:
    result = {}
    for lane in root.iter(f"{{{BPMN}}}lane"):
        for ref in lane.findall(f"{{{BPMN}}}flowNodeRef"):
            result[(ref.text or "").strip()] = lane.get("id")
    return result


def task_meta(root: etree._Element) -> dict[str, dict]:
    """bpmn id -> {name, lane, kind, process, topic, inputs} for every flow node."""
    lanes = lane_of(root)
    meta: dict[str, dict] = {}
    for process in root.iter(f"{{{BPMN}}}process"):
        for node in process.iter():
            if not isinstance(node.tag, str) or node.get("id") is None or node is process:
                continue
            kind = etree.QName(node).localname
            if kind in ("sequenceFlow", "laneSet", "lane", "conditionExpression") or etree.QName(node).namespace != BPMN:
                continue
            entry = {"name": node.get("name") or node.get("id"), "kind": kind, "process": process.get("id"),
                     "lane": lanes.get(node.get("id"))}
            if kind == "serviceTask":
                entry["topic"] = node.get(f"{{{CAMUNDA}}}topic")
                entry["inputs"] = {p.get("name"): (p.text or "").strip() for p in
                                   node.findall(".//camunda:inputParameter", NS)}
            meta[node.get("id")] = entry
    return meta
