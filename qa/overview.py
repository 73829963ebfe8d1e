"""Questions that only name a drug ("Lexapro?", "What is metformin?", "tell me about Lexapro"):
the answer a reader expects is the label's overview — what it is for, how it is taken, who must not
take it, what to watch for, its common side effects — not whichever label passage scores best on
the bare name (for Lexapro that was the boxed warning alone).

`overview_drug` recognises such a question from its understood text and the label tier's drug names;
`overview_queries` are the label-section searches that fetch one passage per part of the overview
(the engine runs them on the label tier only); `merge_overview` puts the passages of the named drug's
own label first, one per section, ahead of what the plain search found.

A question that asks one thing of one drug ("what does memantine look like", "how do I wean off
Tegretol") gets the same treatment for the section that says it (`asked_sections`, `asked_queries`):
the plain search finds passages with the question's words, and "wean" is not a word labels use.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from medcite.types import Hit
from qa.compose import MECHANISM_SECTION
from qa.drug_names import DrugNames
from qa.textutil import STOPWORDS, tokens, words

# Words that ask for an overview without narrowing it ("what is X used for" is still the overview).
OVERVIEW_WORDS = frozenset(
    words(
        """
    what whats is are was about information info know more tell me explain drug drugs medicine medicines
    medication medications pill pills tablet tablets used use uses for it its does do the a an anything
    everything general overview called
    """
    )
)
# The parts of a label an overview shows, in display order, as the section titles labels use.
# (The composer reads the first four passages of a tier: the fifth, warnings, is there for readers
# with larger limits; a boxed warning usually comes with the plain search.)
# Each with the pattern a passage's section title must match: a pharmacokinetics passage that cites
# "[see Dosage and Administration (2.5)]" is not the dosage section.
OVERVIEW_SECTIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("indications and usage", re.compile(r"indication|\buses?\b", re.I)),
    (
        "dosage and administration",
        re.compile(r"dosage(?! forms)|administration|how (?:should i|to) take", re.I),
    ),
    ("adverse reactions", re.compile(r"adverse|side effects", re.I)),
    ("contraindications", re.compile(r"contraindicat|should not (?:take|use)", re.I)),
    ("warnings and precautions", re.compile(r"warning|precaution", re.I)),
)
# What an overview answer covers, as words the composer reads as intents (qa/compose.py INTENTS).
OVERVIEW_ASKS = "treatment, dosage and side effects"


def _drug_of(found: Sequence[str], names: DrugNames) -> tuple[str, ...] | None:
    """(generic, *other names) when the names found are of one drug, else None (none, or two drugs:
    a comparison or an interaction)."""
    generics = {g for f in found for g in (names.brand_to_generic.get(f) or (f,))}
    if len(generics) != 1:
        return None
    generic = next(iter(generics))
    others = [f for f in found if f != generic] + [b.lower() for b in names.generic_to_brand.get(generic, ())]
    return (generic, *dict.fromkeys(o for o in others if o != generic))


def overview_drug(text: str, names: DrugNames) -> tuple[str, ...] | None:
    """(generic, *other names) when `text` asks about one drug and nothing more, else None.

    The drug must be one the label tier names (a brand or a generic in `names`); every other word
    must be a stop word or an overview word."""
    found = names.named(text)
    named_words = {w for f in found for w in f.split()}
    if any(w not in STOPWORDS and w not in OVERVIEW_WORDS and w not in named_words for w in tokens(text)):
        return None
    return _drug_of(found, names)


# What a question asks of one named drug (qa.compose.INTENTS) -> the label section that says it: the
# words of its search (after the drug's generic name) and the pattern the passage's section must match.
ASKED_SECTIONS: dict[str, tuple[str, re.Pattern[str]]] = {
    "appearance": (
        "how supplied tablets capsules color imprinted debossed",
        re.compile(r"how supplied|dosage forms|description", re.I),
    ),
    "ingredients": ("description inactive ingredients", re.compile(r"description|ingredient", re.I)),
    "storage": ("storage and handling store temperature", re.compile(r"storage|how supplied", re.I)),
    "stopping": (
        "discontinued abruptly withdrawn gradually discontinuation withdrawal",
        re.compile(r"dosage(?! forms)|administration|warning|precaution|dependence|adverse", re.I),
    ),
    "interactions": ("drug interactions", re.compile(r"interaction", re.I)),
    "timing": (
        "dosage and administration meals food evening",
        re.compile(r"dosage(?! forms)|administration", re.I),
    ),
    "dosing": ("dosage and administration", re.compile(r"dosage(?! forms)|administration", re.I)),
    "side effects": ("adverse reactions", re.compile(r"adverse|side effects", re.I)),
    "mechanism": ("mechanism of action clinical pharmacology", MECHANISM_SECTION),
    "class": ("description indications and usage", re.compile(r"description|indication", re.I)),
    "elimination": (
        "pharmacokinetics elimination half-life",
        re.compile(r"pharmacokinetic|clinical pharmacology|elimination", re.I),
    ),
    "indication": OVERVIEW_SECTIONS[0],
    "splitting": (
        "swallow whole do not crush chew split dosage and administration",
        re.compile(r"dosage(?! forms)|administration|how supplied|patient counseling", re.I),
    ),
    "strengths": (
        "dosage forms and strengths how supplied",
        re.compile(r"dosage forms|strength|how supplied", re.I),
    ),
}


def sections_asked(intents: Sequence[str]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The label sections (`ASKED_SECTIONS`) that say what the question's intents ask; dosing last, as
    any "mg" or "dose" in the question asks it ("lexapro what mgs are available" asks its strengths)."""
    ordered = sorted(intents, key=lambda i: i == "dosing")
    return tuple(ASKED_SECTIONS[i] for i in ordered if i in ASKED_SECTIONS)


def asked_sections(
    text: str, names: DrugNames, intents: Sequence[str]
) -> tuple[tuple[str, ...], tuple[tuple[str, re.Pattern[str]], ...]] | None:
    """(drug, sections) when `text` names one drug of the label tier and asks something a label
    section says ("what does memantine look like": how supplied), else None."""
    sections = sections_asked(intents)
    if not sections:
        return None
    drug = _drug_of(names.named(text), names)
    return (drug, sections) if drug is not None else None


def overview_compose_text(text: str, drug: Sequence[str]) -> str:
    """What the composer chooses sentences for: the question, every name of the drug (a generic
    label says escitalopram where the question said Lexapro) and the parts of an overview."""
    return f"{text} {' '.join(drug)} {OVERVIEW_ASKS}"


def overview_queries(drug: Sequence[str]) -> list[str]:
    """One label-tier search per overview section: the generic name and the section's title."""
    return [f"{drug[0]} {section}" for section, _ in OVERVIEW_SECTIONS]


def asked_queries(drug: Sequence[str], sections: Sequence[tuple[str, re.Pattern[str]]]) -> list[str]:
    """One label-tier search per asked section: every name of the drug (so its own label, not the
    many that share the section's words, comes first) and the section's words."""
    return [f"{' '.join(drug)} {words}" for words, _ in sections]


def names_drug(hit: Hit, drug: Sequence[str]) -> bool:
    """Whether the passage comes from a label of the drug (its title names one of the drug's names)."""
    title = f" {' '.join(tokens(hit.chunk.title))} "
    return any(f" {name} " in title for name in drug)


def merge_overview(
    found: Sequence[Hit],
    per_section: Sequence[Sequence[Hit]],
    drug: Sequence[str],
    keep: int,
    sections: Sequence[tuple[str, re.Pattern[str]]] = OVERVIEW_SECTIONS,
) -> list[Hit]:
    """The first passage of the drug's own label from each section search (in overview order; the
    passage's section must be that section), then the passages the plain search found; each passage
    once, at most `keep`, ranks renumbered."""
    out: list[Hit] = []
    seen: set[str] = set()
    picks = [
        next((h for h in hits if names_drug(h, drug) and pattern.search(h.chunk.section or "")), None)
        for hits, (_, pattern) in zip(per_section, sections, strict=False)
    ]
    for hit in [*(p for p in picks if p is not None), *found]:
        if hit.chunk_id not in seen:
            seen.add(hit.chunk_id)
            out.append(hit)
    return [replace(h, rank=i) for i, h in enumerate(out[:keep], start=1)]
