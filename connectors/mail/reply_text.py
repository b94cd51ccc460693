"""Turn a reply's body into what the customer actually wrote (H-R1.1, H-D1, H-D3).

Pure text functions used by replies.py: HTML → plain text, and removal of quoted text
(`>` lines, Outlook's "-----Oprindelig meddelelse-----" / "-----Original Message-----",
Outlook's "Fra: … Sendt: …" header block, "Den … skrev …:" and "On … wrote:").
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_SEPARATOR = re.compile(
    r"^\s*-{2,}\s*(?:Oprindelig meddelelse|Original Message|Videresendt meddelelse|Forwarded message)"
    r"\s*-{2,}\s*$",
    re.IGNORECASE,
)
_HEADER_START = re.compile(r"^\s*\*?(?:Fra|From)\s*:", re.IGNORECASE)
_HEADER_SENT = re.compile(r"(?:^|\s)\*?(?:Sendt|Sent|Dato|Date)\s*:", re.IGNORECASE)
_ATTRIBUTION = re.compile(r"^\s*(?:Den|On)\s.*\b(?:skrev|wrote)\b[^:]*:\s*$", re.IGNORECASE)
_ATTRIBUTION_START = re.compile(r"^\s*(?:Den|On)\s", re.IGNORECASE)
_HEADER_BLOCK_LINES = 4  # "Fra:" then "Sendt:" within this many lines is Outlook's quote header


def strip_quoted(text: str) -> str:
    """Drop `>` lines and everything from the first quote separator on; trim blank edges."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    end = next((index for index in range(len(lines)) if _starts_quote(lines, index)), len(lines))
    kept = [line.rstrip() for line in lines[:end] if not line.lstrip().startswith(">")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip("\n")


def _starts_quote(lines: list[str], index: int) -> bool:
    line = lines[index]
    if _SEPARATOR.match(line):
        return True
    if _HEADER_START.match(line):
        block = lines[index : index + _HEADER_BLOCK_LINES]
        return bool(_HEADER_SENT.search(line)) or any(_HEADER_SENT.match(item) for item in block[1:])
    if _ATTRIBUTION_START.match(line):
        joined = line if index + 1 >= len(lines) else f"{line} {lines[index + 1]}"
        return bool(_ATTRIBUTION.match(line) or _ATTRIBUTION.match(joined))
    return False


class _TextExtractor(HTMLParser):
    _BLOCKS = frozenset({"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "hr"})
    _SKIPPED = frozenset({"script", "style", "head", "title", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIPPED:
            self._skip_depth += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIPPED:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(re.sub(r"\s+", " ", data.replace("\xa0", " ")))


def html_to_text(html: str) -> str:
    """Readable plain text of an HTML body; <blockquote> (quoted mail) is left out."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    lines = [line.strip() for line in "".join(extractor.parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
