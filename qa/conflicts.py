"""Conflict notes (issue 17 item 6): where two cited sources take opposite stances on one drug (one
recommends it or reports benefit, the other says it is not recommended, contraindicated or of no
benefit), the answer says so and names both.  Pure: reads the assembled sections and references.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from medcite.types import AnswerSection, Citation
from qa.textutil import DRUG_NAME

# Drug names, plus the drug classes the composer names.
_DRUG = re.compile(
    rf"{DRUG_NAME.pattern}|\bIVIG\b|\bcorticosteroids?\b|\bglucocorticoids?\b|\bimmunoglobulin\b", re.I
)
_AGAINST = re.compile(
    r"\b(?:not (?:be )?recommended|recommends? against|contraindicated|should not be (?:used|given|taken)|"
    r"do not (?:use|give|take)|must not be|avoid(?:ed)?\b|no (?:significant |clinical )?benefit|"
    r"not (?:been shown to be )?effective|ineffective|did not (?:improve|reduce)|"
    r"failed to (?:improve|reduce)|"
    r"not associated with (?:improvement|benefit))",
    re.I,
)
_FOR = re.compile(
    r"\b(?:recommended|first[- ]line|(?:is|are) indicated|effective|improved|reduced|beneficial|"
    r"(?:is|are) (?:used|given) (?:to treat|for)|treated with|"
    r"should (?:be (?:used|given|offered)|receive))\b",
    re.I,
)
# A sentence can speak of two drugs with two stances ("X is recommended; Y should be avoided").
_CLAUSE = re.compile(r";|,?\s+\b(?:but|whereas|while|although|however)\b", re.I)


@dataclass(frozen=True)
class Stance:
    drug: str
    against: bool
    refs: tuple[int, ...]


def _canonical(name: str) -> str:
    n = name.lower()
    if n in ("corticosteroids", "glucocorticoid", "glucocorticoids"):
        return "corticosteroid"
    return "ivig" if n == "immunoglobulin" else n


def stances(text: str, refs: Sequence[int]) -> list[Stance]:
    """The stance each clause of a sentence takes on each drug it names (none when it takes none)."""
    out = []
    for clause in _CLAUSE.split(text):
        against = bool(_AGAINST.search(clause))
        if not against and not _FOR.search(clause):
            continue
        for name in dict.fromkeys(_canonical(m) for m in _DRUG.findall(clause)):
            out.append(Stance(name, against, tuple(refs)))
    return out


def _source(c: Citation) -> str:
    title = c.chunk.title.strip()
    return f"[{c.n}] {title[:80]}{'...' if len(title) > 80 else ''}"


def conflict_notes(sections: Sequence[AnswerSection], citations: Sequence[Citation]) -> list[str]:
    """One note per drug two cited sources disagree on, naming a source on each side."""
    by_n = {c.n: c for c in citations}
    sides: dict[str, tuple[dict[int, None], dict[int, None]]] = {}
    for sec in sections:
        for st in (sec.lead, *sec.bullets):
            for s in stances(st.text, st.citations):
                pro, con = sides.setdefault(s.drug, ({}, {}))
                (con if s.against else pro).update(dict.fromkeys(s.refs))
    notes = []
    for drug, (pro, con) in sides.items():
        pro_only = [n for n in pro if n not in con and n in by_n]
        con_only = [n for n in con if n not in pro and n in by_n]
        if pro_only and con_only:
            name = "IVIG" if drug == "ivig" else drug
            notes.append(
                f"The sources differ on {name}: {_source(by_n[pro_only[0]])} recommends it or reports "
                f"benefit, while {_source(by_n[con_only[0]])} advises against it or reports no benefit."
            )
    return notes
