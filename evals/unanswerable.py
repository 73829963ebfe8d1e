"""The unanswerable set for abstention calibration (issue 16 item 2): questions the corpus cannot
answer, in five kinds, split into a calibration half and a report half.

- nonmed: outside medicine altogether (cooking, travel, code, sport ...), some in chatty phrasing;
- nonsense: keyboard noise and word salad;
- fictional_drug / fictional_condition: invented names in realistic patient and clinician phrasing.
  A retriever always finds *something* for them, so these test the confidence signal itself. Every
  invented name was checked absent from the shared corpus text (`python -m evals.unanswerable
  --check`, which greps every corpus file and, with an index, its BM25 vocabulary);
- personal: questions only the asker's own records could answer.

The split is fixed by position inside each kind (even -> calibration, odd -> report), so the report
half never informs the threshold. `out_of_scope` (evals/out_of_scope.py) stays the small set the CI
gate runs; its twelve questions are part of this set.
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
from pathlib import Path

from evals.out_of_scope import FICTIONAL_MEDICAL, NON_MEDICAL
from medcite.settings import Settings

NONMED = (
    *NON_MEDICAL,
    "How do I fix a leaking kitchen faucet?",
    "What time zone is Tokyo in?",
    "Can you explain how a mortgage refinance works?",
    "hey so what's a good recipe for banana bread?",
    "What is the plot of the movie Casablanca?",
    "How do I set up a home wifi router?",
    "Which planet is closest to the sun?",
    "What are the rules of cricket in simple terms?",
    "How do I file my taxes as a freelancer?",
    "What is the difference between a crocodile and an alligator?",
    "Translate good morning into French please",
    "How tall is Mount Everest?",
    "What is the best time of year to visit Iceland?",
    "How do I get red wine out of a carpet?",
    "Who painted the Mona Lisa?",
    "How does a car transmission work?",
    "What are good names for a golden retriever puppy?",
    "Is it better to lease or buy a car?",
    "How do I grow tomatoes on a balcony?",
    "What is the fastest land animal?",
    "Explain the offside rule in football.",
    "How do I bake sourdough bread at home?",
    "What programming language should I learn first?",
    "Which is the longest river in Europe?",
    "How do I write a cover letter for a job application?",
    "Alright so can you tell me how to train my cat to use a scratching post?",
    "What were the causes of the French Revolution?",
    "How many players are on a basketball team?",
    "What is the best smartphone to buy this year?",
    "Any thoughts on how to paint a bedroom wall without streaks?",
    "How do I knit a scarf for beginners?",
    "How long should I boil pasta for it to be al dente?",
)

NONSENSE = (
    "asdf qwer zxcv uiop",
    "xkcd blorp fnarg wibble",
    "jjjjj kkkk llll",
    "qwertyuiop asdfghjkl",
    "lorem ipsum dolor sit amet consectetur",
    "blue seven elephant quickly purple under",
    "zzzzzzzzzzzz?",
    "hjkl hjkl hjkl",
    "grmbl frzz tkk pflm?",
    "purple monkey dishwasher anagram",
    "mmmmm okay so umm yeah",
    "fghj rtyu vbnm",
    "banana telephone cloud mirror staircase",
    "aaaaaa bbbbb ccccc ddddd",
    "spoon galaxy whisper tangerine fence",
    "qpwoeiruty alskdjfhg",
)

# Invented names; `--check` also asks the engine's speller whether any would be "corrected" into a
# corpus word (then it would no longer be absent).
FICTIONAL_DRUGS = (
    "vexitropine", "dralumicept", "ostrevanil",
    "keltrozumab", "fennoxacet", "brivulastat", "lorquinide", "tazmerofen", "pelvotrexin",
    "oxyvandrel", "quintalazole", "zebrafuse", "havroxetine", "ultrabanzil", "morquavix",
    "trelobuvine", "xandopiril", "caltrevimab", "novusperidol", "jexamitrol", "wolvastin",
    "duprazentine", "ribalquet",
)
DRUG_TEMPLATES = (
    "What is the recommended adult dose of {}?",
    "Does {} cause liver damage?",
    "Can I take {} with grapefruit juice?",
    "What are the side effects of {} tablets?",
    "Is {} safe during pregnancy?",
    "hi what happens if i miss a dose of {}",
    "How long does {} stay in your system?",
    "Can {} be given to children under 12?",
    "What is {} used for?",
    "Is there a generic version of {}?",
)
FICTIONAL_CONDITIONS = (
    "Tavistock-Morrow disease",
    "glimmeral fever", "Hovarth-Lenz dystrophy", "quellian arthritis", "Ostrander-Vey syndrome",
    "dravenic neuritis", "Fenwick-Aaldering anemia", "Saltmarsh-Quill syndrome",
    "verillary cholangiopathy", "Moberly-Kast encephalopathy", "trisporic dermatosis",
    "Lindqvist-Oduya myopathy",
)
CONDITION_TEMPLATES = (
    "What are the diagnostic criteria for {}?",
    "What is the first-line treatment for {}?",
    "Is {} hereditary?",
    "What is the prognosis of {}?",
    "my doctor said I might have {}, what is that?",
)

PERSONAL = (
    "What was my blood pressure reading at my last appointment?",
    "Did my lab results from Tuesday come back normal?",
    "Which pharmacy did I fill my prescription at last month?",
    "When is my next appointment with Dr. Patel?",
    "What dose did my doctor write on my prescription yesterday?",
    "Has my insurance approved my MRI?",
    "Why did my nurse call me this morning?",
    "Is the rash on my arm in the photo I took serious?",
)


def _fictional(names: tuple[str, ...], templates: tuple[str, ...]) -> list[str]:
    return [templates[i % len(templates)].format(name) for i, name in enumerate(names)]


# The invented names of out_of_scope's questions (drugs first, then conditions).
OLD_DRUGS = ("zorvantrelix", "quallistimab", "plexadrome")
OLD_CONDITION_WORDS = ("brennecker", "olvaan", "florinthic")


def unanswerable_questions() -> list[tuple[str, str]]:
    """(kind, question) in a fixed order."""
    old_drug = [q for q in FICTIONAL_MEDICAL if any(d in q.lower() for d in OLD_DRUGS)]
    old_condition = [q for q in FICTIONAL_MEDICAL if q not in old_drug]
    kinds: list[tuple[str, list[str]]] = [
        ("nonmed", list(NONMED)),
        ("nonsense", list(NONSENSE)),
        ("fictional_drug", old_drug + _fictional(FICTIONAL_DRUGS, DRUG_TEMPLATES)),
        ("fictional_condition", old_condition + _fictional(FICTIONAL_CONDITIONS, CONDITION_TEMPLATES)),
        ("personal", list(PERSONAL)),
    ]
    return [(kind, q) for kind, qs in kinds for q in qs]


def split_of(position_in_kind: int) -> str:
    """Even positions calibrate, odd ones report."""
    return "calibration" if position_in_kind % 2 == 0 else "report"


def invented_names() -> list[str]:
    """Every invented name, lower-cased (conditions as whole phrases), for the absence check."""
    conditions = [c.lower().removesuffix(" syndrome").removesuffix(" disease") for c in FICTIONAL_CONDITIONS]
    return sorted({*OLD_DRUGS, "brennecker-olvaan", "florinthic", *(d.lower() for d in FICTIONAL_DRUGS),
                   *conditions})


def corpus_hits(corpus: Path, names: list[str]) -> dict[str, list[str]]:
    """Which names occur (case-insensitive, as whole words) in which corpus files."""
    alternatives = (re.escape(n).replace("\\-", "[\\s-]+").replace("\\ ", "[\\s-]+") for n in names)
    pattern = re.compile(r"\b(" + "|".join(alternatives) + r")\b", re.IGNORECASE)
    hits: dict[str, list[str]] = {}
    for path in sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix != ".md"):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                for m in pattern.finditer(line):
                    hits.setdefault(m.group(1).lower(), []).append(path.name)
    return {k: sorted(set(v)) for k, v in hits.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description="Check the invented names are absent from the corpus.")
    ap.add_argument("--check", action="store_true", help="grep the configured corpus for every name")
    args = ap.parse_args()
    from medcite.settings import load_settings

    settings = load_settings()
    questions = unanswerable_questions()
    print(f"{len(questions)} unanswerable questions")
    if args.check:
        found = corpus_hits(settings.corpus, invented_names())
        for name, files in found.items():
            print(f"PRESENT {name}: {', '.join(files)}")
        print("all invented names absent from the corpus text" if not found else "some names present")
        corrected = spelling_collisions(settings)
        for name, better in corrected.items():
            print(f"CORRECTED {name} -> {better}")
        if corrected:
            print("some invented names would be spelling-corrected into corpus words")
        sys.exit(1 if found or corrected else 0)


def spelling_collisions(settings: Settings) -> dict[str, str]:
    """Invented single-word names the engine's speller would turn into a corpus word (needs an index;
    empty without one)."""
    from index import open_index
    from medcite.errors import MedCiteError
    from qa.engine import AnswerEngine

    try:
        engine = AnswerEngine(open_index(settings), settings)
    except MedCiteError:
        print("no index: spelling collisions not checked")
        return {}
    speller = engine.understanding.speller
    if speller is None:
        return {}
    out = {}
    for name in invented_names():
        for word in re.split(r"[\s-]+", name):
            if not speller.known(word) and (better := speller.suggest(word)) is not None:
                out[word] = better
    return out


if __name__ == "__main__":
    main()
