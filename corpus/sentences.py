"""Sentence boundaries in abstract text: glued structured-abstract labels, run-on sentences, titles.

PubMed text as BioASQ carries it glues a structured-abstract label to the sentence before
("... dermatomyositis.RESULTS: In 22 of the 23 ...") and sometimes drops the space between two
sentences ("... participants.The ..."); pysbd splits neither.  `mark_sentence_breaks` turns both
into breaks pysbd sees; `segment` is the pysbd split itself, shared with the answer engine.
"""

from __future__ import annotations

import re
from functools import lru_cache

from corpus.text import normalize_whitespace


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words of structured-abstract labels: PubMed's NLM categories (BACKGROUND, OBJECTIVE, METHODS,
# RESULTS, CONCLUSIONS) and the author labels seen in the research corpus ("PURPOSE OF REVIEW",
# "AREAS COVERED", "EXPERT OPINION", "Availability and implementation", "WHAT IS KNOWN AND OBJECTIVE").
# A label is made of these words only, so content headings ("PAIN:", "WOUND HEALING:",
# "Retapamulin:", "Primary outcome:") stay text.
_LABEL_HEADS = _word_set(
    """
    background backgrounds objective objectives object aim aims purpose goal goals introduction context
    rationale importance hypothesis method methods methodology material materials design setting
    settings patients participants subjects animals intervention interventions measures measurements
    result results findings conclusion conclusions interpretation discussion summary relevance
    significance implications availability implementation contact covered opinion commentary unlabelled
    unstructured funding registration presentation procedure procedures sources selection extraction
    synthesis review abstract problem definition points motivation report content supplementary evidence
    """
)
_LABEL_FILLERS = _word_set(
    """
    and of the or what is known new study main outcome key current recent knowledge areas expert
    clinical case data research experimental information trial authors' principal limitations
    patient classification
    """
)
_LABEL_WORDS = _LABEL_HEADS | _LABEL_FILLERS
# A capitalised run of up to six words ending in a colon, or filling its whole line, at a sentence
# start; whether it is a label is decided by its words (_is_label).
_LABEL_CANDIDATE = re.compile(
    r"(?:(?<=[.!?])|^)[ \t]*(?P<label>[A-Z][A-Za-z']*(?:(?:[ \t]*[/&,][ \t]*|[ \t]+)[A-Za-z']+){0,5})"
    r"(?::[ \t]*|[ \t]*$)",
    re.M,
)
# Two sentences with no space between them: "therapy.RIX is", "participants.The".  Two lowercase
# letters before the stop keep "e.g.", "i.v.", "U.S.", decimals and strain names ("B6.Yaa") whole;
# the next word must be capitalised ("The") or an acronym ("RIX"), which keeps units ("pmol.L-1").
_RUN_ON = re.compile(r"\b(?P<word>[A-Za-z]*[a-z]{2})[.!?](?=[A-Z][a-z]|[A-Z]{2,}\b)")
_ABBREVIATIONS = _word_set(
    "vs al fig figs approx ca cf resp no nos vol dr mr mrs ms prof st sp spp var jr sr inc ltd co corp eq"
    " jan feb mar apr jun jul aug sep sept oct nov dec"
)


def _is_label(label: str, at_line_start: bool) -> bool:
    raw = re.findall(r"[A-Za-z']+", label)
    # All capitals ("MATERIALS AND METHODS") or no word in capitals ("Areas covered"): "The RESULTS:" is text.
    if not label.isupper() and any(len(w) > 1 and w.isupper() for w in raw):
        return False
    words = [w.lower() for w in raw]
    if all(w in _LABEL_WORDS for w in words) and any(w in _LABEL_HEADS for w in words):
        return True
    # A snippet that starts inside a label ("SIONS: Our data", "THODS: We", "CENT FINDINGS: The").
    first, rest = words[0], words[1:]
    return (
        label.isupper()
        and len(first) >= (3 if at_line_start else 5)
        and any(word.endswith(first) for word in _LABEL_WORDS)
        and all(w in _LABEL_WORDS for w in rest)
    )


def _label_break(match: re.Match[str]) -> str:
    start = match.start()
    at_line_start = start == 0 or match.string[start - 1] == "\n"
    if not _is_label(match.group("label"), at_line_start):
        return match.group(0)
    return "\n\n"


def _run_on_break(match: re.Match[str]) -> str:
    if match.group("word").lower() in _ABBREVIATIONS:
        return match.group(0)
    return match.group(0) + " "


def mark_sentence_breaks(text: str) -> str:
    """Structured-abstract labels become paragraph breaks (the label is layout, not content) and
    sentences run together without a space get one."""
    return _RUN_ON.sub(_run_on_break, _LABEL_CANDIDATE.sub(_label_break, text))


def without_leading_label(sentence: str) -> str:
    """A sentence without a structured-abstract label in capitals left at its start with no colon
    ("CONCLUSIONS Brodifacoum-laced ..." -> "Brodifacoum-laced ..."): the longest run of its leading
    words in capitals that reads as a label (`_is_label`), when a sentence follows it."""
    tokens = sentence.split(" ")
    cut = 0
    for i in range(1, min(len(tokens), 7)):
        if not tokens[i - 1].isupper():
            break
        if tokens[i][:1].isupper() and _is_label(" ".join(tokens[:i]), at_line_start=True):
            cut = i
    return " ".join(tokens[cut:]) if cut else sentence


@lru_cache(maxsize=1)
def _segmenter():  # type: ignore[no-untyped-def]
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def segment(block: str) -> list[str]:
    """Sentences of one paragraph by pysbd's rules (which survive 'mg/kg/day', 'e.g.', 'vs.')."""
    return [s.strip() for s in _segmenter().segment(block) if s.strip()]


_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_FIRST_STOP = re.compile(r"(?P<word>\S*)[.!?]['\")\]]?(?:\s+|$)")
_SENTENCE_START = re.compile(r"[A-Z0-9(\[\"']|$")


def _head_sentence(paragraph: str, limit: int) -> str:
    """First sentence of one paragraph.  pysbd costs ~2 ms a call, which every ingest would pay for
    every derived title, so a stop after a plain word before a capital ("dermatomyositis. In") is taken
    as it is; only doubtful stops ("i.v. Dose", "vs. Placebo", "U.S. Adults") go to pysbd, and only the
    first `limit` characters (its time grows with the length)."""
    match = _FIRST_STOP.search(paragraph)
    if not match:
        return paragraph
    word = match["word"].strip("()[]\"'")
    # Not "i.v.", "U.S.", "e.g." (a stop inside), "A." (an initial) or "vs.", "Fig." (abbreviations).
    if (
        "." not in word
        and len(word) > 1
        and word.lower() not in _ABBREVIATIONS
        and _SENTENCE_START.match(paragraph, match.end())
    ):
        return paragraph[: match.end()].strip()
    sentences = segment(paragraph[:limit])
    return sentences[0] if sentences else ""


def first_sentence(text: str, max_chars: int = 160) -> str:
    """First sentence of `text`'s first paragraph, trimmed at a word boundary to `max_chars` (with an
    ellipsis); a glued abstract label or run-on ("title.Next sentence") ends it too."""
    marked = mark_sentence_breaks(normalize_whitespace(text))
    paragraph = next((p for p in _PARAGRAPH_BREAK.split(marked) if p.strip()), "")
    head = _head_sentence(" ".join(paragraph.split()), limit=max_chars + 100)
    if len(head) <= max_chars:
        return head
    cut = head[:max_chars].rsplit(" ", 1)[0].rstrip(",;:")
    return f"{cut}…"
