"""Pure text clean-up shared by the readers: HTML stripping, whitespace, mojibake, years and dates.

Nothing here does I/O; every function is a str -> str (or str -> value) transform.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from html.parser import HTMLParser

# Tags after which text continues on a new line, so paragraphs and list items stay apart.
_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "tr",
        "table",
        "thead",
        "tbody",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "dt",
        "dd",
        "blockquote",
        "section",
        "article",
    ]
)
_SKIP_TAGS = frozenset({"script", "style"})


class _TextExtractor(HTMLParser):
    """Collects text from (possibly broken) HTML; block tags become line breaks, <li> a bullet."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in ("td", "th"):
            self.parts.append(" | ")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


_TAG_HINT = re.compile(r"<[a-zA-Z/!][^>]*>|&[a-zA-Z#0-9]+;")


def strip_html(text: str) -> str:
    """Plain text from an HTML fragment, entities decoded, whitespace normalised.

    Text without tags or entities is only whitespace-normalised (fast path for the many plain fields).
    """
    if not text:
        return ""
    if not _TAG_HINT.search(text):
        return normalize_whitespace(text)
    parser = _TextExtractor()
    parser.feed(text)
    parser.close()
    out = "".join(parser.parts)
    # A row "| a | b" from the td handling reads better as "a | b".
    out = re.sub(r"(?m)^\s*\|\s*", "", out)
    return normalize_whitespace(html.unescape(out))


_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")


def normalize_whitespace(text: str) -> str:
    """Collapse runs of spaces inside lines, strip every line, keep at most one blank line between
    paragraphs (paragraph breaks help section-aware chunking downstream)."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _MANY_BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


# UTF-8 bytes that were decoded as Latin-1/cp1252 show up as e.g. "caseâ\x80\x93control" in the NGC
# dump.  A lead byte 0xC2-0xF4 followed by continuation bytes 0x80-0xBF is re-decoded; anything that
# does not round-trip is left as it was.
# cp1252 renders bytes 0x80-0x9F as typographic characters ("€", "“", "–", ...), Latin-1 as C1 controls.
_CP1252_HIGH = re.escape(bytes(range(0x80, 0xA0)).decode("cp1252", errors="ignore"))
_MOJIBAKE = re.compile("[\u00c2-\u00f4][\u0080-\u00bf" + _CP1252_HIGH + "]{1,3}")


def _redecode(match: re.Match[str]) -> str:
    s = match.group(0)
    # Longest prefix first: the pattern may swallow one ordinary character after a 2-byte sequence.
    for cut in range(len(s), 1, -1):
        for enc in ("latin-1", "cp1252"):
            try:
                return s[:cut].encode(enc).decode("utf-8") + s[cut:]
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
    return s


def fix_mojibake(text: str) -> str:
    """Repair UTF-8-read-as-Latin-1 sequences ("â\\x80\\x93" -> "–")."""
    return _MOJIBAKE.sub(_redecode, text) if text else text


def clean_text(text: object) -> str:
    """The standard treatment for a free-text field: str() lists, fix mojibake, strip HTML."""
    if text is None:
        return ""
    if isinstance(text, list | tuple):
        text = "\n".join(str(t) for t in text if t is not None)
    return strip_html(fix_mojibake(str(text)))


_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def parse_year(value: object) -> int | None:
    """An int year from an int, '2011', '2009 Dec 4', or None when there is no plausible year."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1800 <= value <= 2100 else None
    m = _YEAR.search(str(value))
    return int(m.group(1)) if m else None


_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1
    )
}
_YMD_WORDS = re.compile(r"\b(\d{4})\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2})\b")


def iso_date(value: object) -> str | None:
    """ISO date from '20140113', '2014-01-13' or '2009 Dec 4'; None when the day is not known."""
    if value is None:
        return None
    s = str(value).strip()
    candidates: list[tuple[int, int, int]] = []
    if (m := re.fullmatch(r"(\d{4})(\d{2})(\d{2})(?:\d{4,6})?", s)) or (
        m := re.match(r"(\d{4})-(\d{2})-(\d{2})", s)
    ):
        candidates.append((int(m.group(1)), int(m.group(2)), int(m.group(3))))
    elif m := _YMD_WORDS.search(s):
        month = _MONTHS.get(m.group(2).lower())
        if month:
            candidates.append((int(m.group(1)), month, int(m.group(3))))
    for y, mo, d in candidates:
        try:
            return dt.date(y, mo, d).isoformat()
        except ValueError:
            return None
    return None
