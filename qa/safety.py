"""Emergency detection, non-medical refusal and retrieval-confidence abstention. Pure functions.

Retrieval confidence is defined as *query-term coverage*: the largest fraction of the question's
content terms found in any one of the top hits (title, section and text), where a term also counts
as found when the hit names the concept through a lexicon synonym. Given term weights (the engine
passes the corpus IDF), the fraction is weighted: missing "function" in "What is the function of
GFRAL?" costs little, missing "GFRAL" costs most. It is a pure function of the question, the hits
and the weights, independent of the retriever's score scale (BM25, cosine and RRF scores are
not comparable), so `settings.composer.abstain_threshold` can be calibrated on the dev suites with
`evals` by sweeping the threshold over recorded (question, hits) pairs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence

from medcite.types import Hit
from qa.drug_names import SALT_WORDS, STRENGTH_UNITS, DrugNames, salt_suffixes
from qa.expansion import Lexicon, expansions, find_phrases
from qa.spelling import english_words, is_common_word
from qa.textutil import STOPWORDS, content_terms, fold, term_set, tokens, words

# Symptom patterns that warrant urgent care (after NHS 111 / MedlinePlus "when to call 911" lists).
_EMERGENCY: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "chest pain",
        re.compile(
            r"\bchest (?:pain|pressure|tightness)|\bcrushing (?:chest|pain)|heart attack (?:now|right now)",
            re.I,
        ),
    ),
    (
        "stroke signs",
        re.compile(
            r"\b(?:face|facial) (?:droop|drooping)|\bslurred speech|\bsudden(?:ly)? (?:numbness|weakness|"
            r"confusion|"
            r"trouble (?:speaking|seeing|walking)|severe headache|vision loss)|\bone side of (?:my|his|her|"
            r"the) (?:body|face)"
            r"|\b(?:having|had) a stroke\b",
            re.I,
        ),
    ),
    (
        "suicidal thoughts",
        re.compile(
            r"\bsuicid|\bkill (?:myself|himself|herself)|\bend (?:my|his|her) life|\bwant(?:s)? to die\b|"
            r"\bself[- ]harm|\bhurt(?:ing)? myself",
            re.I,
        ),
    ),
    (
        "overdose or poisoning",
        re.compile(
            r"\boverdos|\btook (?:too many|too much|a whole bottle|\d+ (?:pills|tablets))|\bswallowed "
            r"(?:bleach|poison|"
            r"a battery|batteries)|\bpoison(?:ed|ing)\b",
            re.I,
        ),
    ),
    (
        "anaphylaxis or trouble breathing",
        re.compile(
            r"\banaphyla|\b(?:throat|tongue|lips?) (?:is |are )?(?:swelling|swollen|closing)|\bcan'?t "
            r"breathe|"
            r"\b(?:trouble|difficulty) breathing|\bshort(?:ness)? of breath",
            re.I,
        ),
    ),
    (
        "severe bleeding",
        re.compile(
            r"\b(?:won'?t stop|uncontrolled|heavy) bleeding|\bvomiting blood|\bcoughing (?:up )?blood", re.I
        ),
    ),
    (
        "loss of consciousness or seizure",
        re.compile(
            r"\bunconscious|\bpassed out\b|\bnot breathing\b|\bunresponsive|\bseizing\b|\bhaving a seizure",
            re.I,
        ),
    ),
)

EMERGENCY_NOTICE = (
    "This may be a medical emergency. Call your local emergency number (911 in the US) or go to the nearest "
    "emergency department now. {extra}Do not wait for an online answer."
)
SUICIDE_EXTRA = "If you are thinking about suicide, call or text 988 (US Suicide & Crisis Lifeline). "

NON_MEDICAL_NOTICE = (
    "MedCite answers medical questions from its library of guidelines, drug labels, research and patient "
    "information. This question does not look medical, so there is no answer to give."
)
UNKNOWN_NAME_NOTICE = (
    'MedCite\'s library has nothing on "{name}". If it is a medicine or a condition, check the spelling, '
    "or ask with its generic or everyday name."
)
OWN_RECORDS_NOTICE = (
    "MedCite answers from published guidelines, drug labels, research and patient information; it cannot "
    "see your own results, appointments, prescriptions or messages. Your care team, pharmacy or patient "
    "portal has them."
)
ABSTAIN_NOTICE = (
    "The sources in MedCite's library do not cover this question well enough to answer it. "
    "Nothing is asserted here; the closest topics found are listed below. Try rephrasing with the condition "
    "or drug name, or ask a health professional."
)

# Words that mark a question as medical even when the lexicon lacks the topic.
_HEALTH_WORDS = frozenset(
    fold(w)
    for w in words(
        """
        disease diseases disorder syndrome symptom symptoms sign signs treatment treat therapy therapies
        drug drugs medicine medication medications dose dosage doses pill tablet tablets injection
        vaccine vaccination side effect effects adverse infection infections cancer tumor tumour pain
        fever cough diagnosis diagnose diagnosed test screening surgery surgical patient patients doctor
        physician nurse clinical trial prognosis risk chronic acute blood heart lung liver kidney brain
        skin bone muscle nerve pregnancy pregnant child children infant baby prescription overdose
        allergy allergic gene genetic mutation protein cell cells receptor inhibitor antibody hormone
        insulin diabetes virus viral bacterial bacteria antibiotic mg health medical healthy diet
        exercise sleep weight vitamin supplement rash headache nausea vomiting diarrhea anxiety
        depression mental cure contraindication interaction interactions hospital emergency prevent
        prevention care effective efficacy efficacious safe safety
        inhaler ointment cream capsule capsules syrup milligram milligrams ml dosing tylenol aspirin
        genome genomic genes dna rna mrna mirna chromosome enzyme tissue tissues expressed expression
        phenotype transcription mutations pathway inflammation immune flu stroke dementia asthma
        mechanism intoxication poisoning toxicity haplotype haplotyping genotype sequencing
        prescribed prescribe prescribing contraindicated wean weaning reconstitute administer administered
        withdrawal addictive addiction ingredient ingredients mcg
        barbiturate barbiturates opioid opioids opiate opiates steroid steroids diuretic diuretics laxative
        laxatives sedative sedatives stimulant stimulants narcotic narcotics antacid antacids antidepressant
        antidepressants antipsychotic antipsychotics anticonvulsant anticonvulsants anticoagulant
        anticoagulants decongestant decongestants biologic biologics blocker blockers agonist agonists
        antagonist antagonists ophthalmic topical sickness illness
        """
    )
)
_MEDICAL_SUFFIX = re.compile(
    r"(?:itis|osis|emia|aemia|oma|pathy|ectomy|otomy|plasty|algia|uria|penia|plasia|trophy|cardia|"
    r"mab|nib|vir|cillin|mycin|cycline|statin|pril|sartan|olol|azole|dipine|prazole|tidine|oxacin|"
    r"parin|gliptin|gliflozin|tide|sone|olone|ine|ase|gen|cyte|cytes|formin|profen|triptan|caine|azepam|"
    r"zolam|dronate|thiazide|semide|oxetine|triptyline|pram|xaban|codone|afil|zosin|losin|axone|pexole|"
    r"lukast|setron|terol|sonide|ophen|barbital|sterone|tanyl|acin|balamin)$"
)

# A strength as written on a pack: 40mg, 0.5 mg, 100 mcg, 5 ml, 1000 IU.
_DOSE = re.compile(r"\b\d+(?:\.\d+)?\s?(?:mg|mcg|µg|ml|iu)\b", re.I)


def emergency_kinds(question: str) -> list[str]:
    """Names of the emergency patterns the question matches (empty when none)."""
    return [name for name, pattern in _EMERGENCY if pattern.search(question)]


def emergency_notice(kinds: Sequence[str]) -> str:
    return EMERGENCY_NOTICE.format(extra=SUICIDE_EXTRA if "suicidal thoughts" in kinds else "")


_WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]*")


def symbols(question: str) -> set[str]:
    """Words written with two or more capitals (GFRAL, TLR7, COPD, SBGNview, lincRNA, PD-1): names of
    genes, proteins, diseases or tools. None when most words are capitalised (the question is
    shouting, not naming)."""
    words = _WORD.findall(question)
    caps = {w for w in words if sum(c.isupper() for c in w) >= 2}
    return set() if len(caps) * 2 > len(words) else caps


def _odd_word(word: str) -> bool:
    w = word.lower()
    vowels = sum(c in "aeiouy" for c in w)
    return vowels == 0 or bool(re.search(r"[^aeiouy]{5,}", w)) or (len(w) > 4 and vowels / len(w) < 0.15)


def looks_like_gibberish(question: str, known_fraction: float | None = None) -> bool:
    """True when most words are not pronounceable English-like words (e.g. 'asdkjh qwpoe').

    Symbols (GFRAL, SBGNview) are not judged, and short words (mg, pm, tb) are judged only when the
    question has nothing longer, so 'famotidine 10 mg?' is a question, not noise. `known_fraction`
    (the share of the question's words found in the corpus, when an index is at hand) overrules the
    spelling heuristic: words the corpus uses are words ('how strong is 360 mg diltiazem').
    """
    if known_fraction is not None and known_fraction >= 0.5:
        return False
    names = symbols(question)
    words = [w for w in _WORD.findall(question) if w.isalpha() and w not in names]
    if not words:
        return not re.search(r"[A-Za-z]", question)
    long_words = [w for w in words if len(w) >= 4]
    judged = long_words or words
    odd = sum(_odd_word(w) for w in judged)
    return odd / len(judged) >= 0.5


def has_medical_cue(
    question: str,
    lexicon: Lexicon | None = None,
    drug_names: DrugNames | None = None,
    corpus_knows: Callable[[str], bool] | None = None,
    drugs: Collection[str] = (),
) -> bool:
    """Whether the question names something medical: a health word, a health topic of the lexicon
    (a whole topic name: its single words, 'car' or 'good', say nothing), a drug name of the label
    tier ("Xarelto", "acetaminophen") or of the drug dictionary (`drugs`, folded: `dictionary_drugs`),
    a strength ("40mg"), a word with a medical suffix, or a technical term: a word the corpus uses
    (`corpus_knows`) that is not an English word ("Waylivra", "vcfanno", "bb21217")."""
    if symbols(question):
        return True  # a gene, protein, drug or disease symbol (TLR7, GFRAL, COPD, PD-1)
    if _DOSE.search(question) or (drug_names is not None and drug_names.names_a_drug(question)):
        return True  # a strength ("40mg", "0.05 mg") or a drug the label tier names
    if lexicon is not None and find_phrases(question, lexicon):
        return True
    for tok in tokens(question):
        stem = tok[:-1] if tok.endswith("s") and not tok.endswith("ss") else tok  # peptidases
        if (
            fold(tok) in _HEALTH_WORDS
            or fold(tok) in drugs
            or (len(stem) > 5 and _MEDICAL_SUFFIX.search(stem))
        ):
            return True
        if corpus_knows is not None and _technical(tok) and corpus_knows(tok):
            return True
    return False


# Everyday shorthand no dictionary has: a question's word, not a name ("... come in meds come in").
_SHORTHAND = frozenset({"meds", "vax", "vaxx", "vaxxed", "prescrip", "scrips"})


def _technical(tok: str) -> bool:
    """A word no English dictionary has, long enough to be a name (not a typo of 'the')."""
    return (
        len(tok) >= 4
        and tok.isalnum()
        and not tok.isdigit()
        and tok not in english_words()
        and tok not in _SHORTHAND
    )


def retrieval_confidence(
    question: str,
    hits: Sequence[Hit],
    lexicon: Lexicon | None = None,
    top: int = 5,
    weight: Callable[[str], float | None] | None = None,
) -> float:
    """Best (weighted) query-term coverage over the top hits of every tier (see module docstring)."""
    terms = content_terms(question)
    if not terms or not hits:
        return 0.0
    weights = {t: 1.0 for t in terms}
    if weight is not None:
        given = term_weights(question, weight)
        if any(given.values()):  # terms the weighting ignores (its stopwords) count for nothing
            weights = {t: float(given.get(t) or 0.0) for t in terms}
    total = sum(weights.values())
    synonyms: list[tuple[frozenset[str], list[frozenset[str]]]] = []
    if lexicon is not None:
        for phrase, alts in expansions(question, lexicon):
            synonyms.append((term_set(phrase), [term_set(a) for a in alts]))
    best = 0.0
    ranked = sorted(hits, key=lambda h: h.rank)[: max(top, 1) * 4]
    for hit in ranked:
        found = term_set(f"{hit.chunk.title} {hit.chunk.section} {hit.chunk.text}")
        covered = 0.0
        for term in terms:
            if term in found or any(
                term in p and any(a and a <= found for a in alts) for p, alts in synonyms
            ):
                covered += weights[term]
        best = max(best, covered / total)
    return best


def term_weights(question: str, weight: Callable[[str], float | None]) -> dict[str, float | None]:
    """Each content term's weight, asked of the word as typed: the weighting (the keyword index's
    IDF) analyses a word itself, and a stem analysed again is another word ('diseas' -> 'disea')."""
    out: dict[str, float | None] = {}
    for tok in tokens(question):
        if tok in STOPWORDS or len(tok) <= 1:
            continue
        w = weight(tok)
        term = fold(tok)
        if term not in out or (w or 0.0) > (out[term] or 0.0):
            out[term] = w
    return out


def question_focus(
    question: str,
    weight: Callable[[str], float | None] | None = None,
    among: Collection[str] = (),
    drugs: Collection[str] = (),
) -> str | None:
    """The question's focus: its rarest content term by corpus IDF (issue 16). A word the corpus
    never uses has the highest IDF, so an unknown drug or disease name is the focus, and absent.
    `among` (folded terms) narrows the choice when the question has any of them: the names of the
    drugs it asks about, so that "bupropion hcl 300mg is good for what?" is about bupropion, not about
    its rarest word "300mg" (issue 17). A salt or form word after a drug's name ("fluvoxamine malate"),
    a unit ("mgs") and a unit or a slip glued to a number ("10meq", "9is") are no focus. An everyday
    word chosen for want of a name ("brand", "pen") gives way to a drug the question names that
    `among` lacks (`drugs`, folded: the drug dictionary's names). Without weights the first content
    term stands in."""
    terms = content_terms(question)
    if not terms:
        return None
    # "how to safely stop fluvoxamine malate" is about fluvoxamine, not its rarer salt "malate"; "how
    # many mgs of colchicine" about colchicine, not the unit "mgs"; and a strength or a slip glued to a
    # number ("300mg", "10meq", "9is" for "is") is not what is asked about
    other = {fold(w) for w in salt_suffixes(question) | STRENGTH_UNITS}
    terms = [t for t in terms if t not in other and not _glued_to_number(t)] or terms
    preferred = [t for t in terms if t in among]
    if preferred:
        terms = preferred
    elif len(terms) >= LONG_MESSAGE_TERMS:
        # a long message's short opening line says what it is about ("Body Lice. How do I get rid of
        # these little devils? ..."): its rarest word, not one the story happens to use
        terms = [t for t in content_terms(subject_line(question)) if t in terms] or terms
    rarity = term_weights(question, weight) if weight is not None else {}
    focus = max(terms, key=lambda t: rarity.get(t) or 0.0)  # max keeps the first of equals
    named = [t for t in terms if t in drugs and not _everyday(t, question)]
    # of "magnesium citrate", the drug is magnesium: its salt is no focus of its own
    said = [fold(t) for t in tokens(question)]
    salts = {b for a, b in zip(said, said[1:], strict=False) if a in drugs and b in _SALTS}
    named = [t for t in named if t not in salts] or named
    if named and not preferred and _everyday(focus, question):
        # "what is brand name of acetaminophen" asks about acetaminophen, which the corpus uses more
        # often than "brand"; "how to use an epinephrine pen" about epinephrine, not the pen
        return max(named, key=lambda t: rarity.get(t) or 0.0)
    return focus


# A message this long (content terms) tells a story around its topic; an opening sentence of at most
# SUBJECT_WORDS words before it is its subject line.
LONG_MESSAGE_TERMS = 15
SUBJECT_WORDS = 8
_SENTENCE_END = re.compile(r"[.!?]+(?:\s+|$)")


def subject_line(question: str) -> str:
    """The opening sentence of a question when it is a short line before more ("Medical Diagnosis of
    Asbestosis. My doctors hint that ..."), else ""."""
    end = _SENTENCE_END.search(question)
    if end is None or not question[end.end() :].strip():
        return ""
    opening = question[: end.start()]
    return opening if len(words(opening)) <= SUBJECT_WORDS else ""


def dictionary_drugs(question: str, names_drug: Callable[[str], bool], min_length: int) -> frozenset[str]:
    """The question's words (folded) that name a drug to the drug dictionary (`names_drug`), of
    `min_length` letters at least and no everyday English word: "magnesium", "ecstasy", "lotensin";
    not "silver" or "iron", which say nothing medical by themselves."""
    return frozenset(
        fold(t) for t in tokens(question) if len(t) >= min_length and names_drug(t) and not is_common_word(t)
    )


_SALTS = frozenset(fold(w) for w in SALT_WORDS)


def _everyday(term: str, question: str) -> bool:
    """Whether the question writes a (folded) term as an everyday English word."""
    return any(fold(t) == term and is_common_word(t) for t in tokens(question))


# A strength or a slip glued to its number: "10meq", "5ml", "300mg", "9is" (for "is"). A number alone
# ("CheckMate 227", "2002") or a chromosome band ("6q24.2-26") can be what is asked about.
_GLUED_NUMBER = re.compile(r"\d+(?:\.\d+)?([a-z]+)")


def _glued_to_number(term: str) -> bool:
    """A term that is a strength or a typing slip glued to a number ("10meq", "9is")."""
    glued = _GLUED_NUMBER.fullmatch(term)
    return glued is not None and (glued.group(1) in STRENGTH_UNITS or glued.group(1) in STOPWORDS)


def name_terms(question: str, names: DrugNames) -> tuple[frozenset[str], dict[str, tuple[str, ...]]]:
    """The terms of a question that name something: a drug the label tier knows (brand or generic),
    or a word no English dictionary has (a drug, disease or gene name, known to the corpus or not:
    an unknown one is the rarest of all, so what is missing stays the focus); with each drug term,
    the drug's other names. What `question_focus` chooses among (issue 17)."""
    others: dict[str, tuple[str, ...]] = {}
    for name in names.named(question):
        for term in content_terms(name):
            others[term] = others.get(term, ()) + names.other_names(name)
    technical = {fold(t) for t in tokens(question) if t not in STOPWORDS and _names_something(t)}
    return frozenset(others) | technical, others


# A fragment: four letters or fewer, written in lower case ("metoprolol succ., 50 mg", "allergic to sufa",
# "how many tums aday"): too short for the speller to mend (qa.spelling.MIN_WORD) and, when neither the
# corpus nor an English dictionary has it, an abbreviation or a typo, not the name of what is asked.
_FRAGMENT = re.compile(r"(?<![\w-])[a-z]{2,4}(?![\w-])")


def without_fragments(question: str, known_fraction: Callable[[str], float | None], names: DrugNames) -> str:
    """The question without its fragments the corpus never uses, when it still names something
    (`name_terms`): what the question is about, and how well the passages cover it, are read from its
    other words. A question of fragments alone ("asdf qwer") is left as it is."""
    fragments = {
        w
        for w in _FRAGMENT.findall(question)
        if w not in STOPWORDS and w not in english_words() and known_fraction(w) == 0.0
    }
    if not fragments:
        return question
    rest = without_words(question, sorted(fragments))
    return rest if name_terms(rest, names)[0] else question


def _names_something(tok: str) -> bool:
    """A word with no digit that no dictionary has, or a hyphenated one with such a part
    ("fenwick-aaldering", not "first-line"): a strength or a code is not a name."""
    parts = tok.split("-")
    return all(p.isalpha() for p in parts if p) and any(_technical(p) for p in parts)


def _mentions(hit: Hit) -> frozenset[str]:
    return term_set(f"{hit.chunk.title} {hit.chunk.section} {hit.chunk.text}")


def focus_names(
    focus: str, question: str, lexicon: Lexicon | None = None, also: Sequence[str] = ()
) -> tuple[frozenset[str], ...]:
    """The focus's names as term sets, any of which a text must hold to name it: the focus itself,
    the lexicon synonyms of a question phrase holding it ('piles' for 'hemorrhoids') and `also`,
    other names of it (a brand's generic)."""
    alternatives = [
        term_set(a)
        for phrase, alts in (expansions(question, lexicon) if lexicon is not None else [])
        if focus in term_set(phrase)
        for a in alts
    ] + [term_set(a) for a in also]
    return (frozenset([focus]), *dict.fromkeys(a for a in alternatives if a))


def condition_names(focus: str, question: str, lexicon: Lexicon | None) -> tuple[frozenset[str], ...]:
    """The names of the condition a question names as a health topic of several words holding the
    focus ("What causes Seasonal Affective Disorder ?": the focus "seasonal"): the topic's name and its
    lexicon alternatives, as term sets any of which a text must hold to name it (`names_focus`); ()
    when the question names no such topic. A text that says only "seasonal" ("hand rubs tested during
    colder seasons") is not about the disorder."""
    if lexicon is None:
        return ()
    for phrase in find_phrases(question, lexicon):
        terms = term_set(phrase)
        if len(terms) >= 2 and focus in terms:
            alternatives = (term_set(a) for a in lexicon.entries[phrase])
            return (terms, *dict.fromkeys(a for a in alternatives if a and a != terms))
    return ()


def names_focus(terms: frozenset[str], names: Sequence[frozenset[str]]) -> bool:
    """Whether a text's terms hold one of the focus's names (`focus_names`)."""
    return any(n <= terms for n in names)


def focus_hits(
    focus: str,
    question: str,
    hits: Sequence[Hit],
    lexicon: Lexicon | None = None,
    also: Sequence[str] = (),
) -> list[Hit]:
    """The top passages that name the focus (`focus_names`)."""
    names = focus_names(focus, question, lexicon, also)
    return [hit for hit in hits if names_focus(_mentions(hit), names)]


def focus_spoken_of(
    focus: str,
    question: str,
    weight: Callable[[str], float | None],
    hits: Sequence[Hit],
    lexicon: Lexicon | None = None,
) -> tuple[str, list[Hit]] | None:
    """For a focus that is an everyday word no passage names ("husband" in "... more info about Familial
    Mediterranean Fever please as my husband suffers from this"): the rarest other content term a
    passage names, with those passages (`focus_hits`); None when the focus is no everyday word (a name
    the library lacks stays the focus, and the answer says so) or no other term is named."""
    if not _everyday(focus, question):
        return None
    rarity = term_weights(question, weight)
    others = sorted((t for t in content_terms(question) if t != focus), key=lambda t: -(rarity.get(t) or 0.0))
    for term in others:
        about = focus_hits(term, question, hits, lexicon)
        if about:
            return term, about
    return None


def focus_found(focus: str, question: str, hits: Sequence[Hit], lexicon: Lexicon | None = None) -> bool:
    """Whether a top passage names the focus (see `focus_hits`)."""
    return bool(focus_hits(focus, question, hits, lexicon))


def uncovered_words(question: str, hits: Sequence[Hit]) -> list[str]:
    """The question's content words (as typed) that none of the passages mentions: given the passages
    about the focus, what the sources do not say about it, named in a focus-only answer."""
    mentioned: set[str] = set()
    for hit in hits:
        mentioned |= _mentions(hit)
    out: dict[str, None] = {}
    for tok in tokens(question):
        if tok not in STOPWORDS and len(tok) > 1 and fold(tok) not in mentioned:
            out.setdefault(tok, None)
    return list(out)


def without_words(text: str, drop: Sequence[str]) -> str:
    """The text without the given words (whole words, any case)."""
    if not drop:
        return text
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, drop)) + r")\b", re.IGNORECASE)
    return re.sub(r"\s{2,}", " ", pattern.sub("", text)).strip()


# The question's words a focus note names at most; a long message's others are counted, not listed.
MAX_MISSING_SHOWN = 5


def focus_notice(focus_word: str, missing: Sequence[str]) -> str:
    """The note on an answer about the focus when the sources do not cover the question's exact point."""
    shown = _join(missing[:MAX_MISSING_SHOWN])
    if len(missing) > MAX_MISSING_SHOWN:
        shown += f" (nor {len(missing) - MAX_MISSING_SHOWN} more of the question's words)"
    return (
        f"The sources describe {focus_word}, but the passages about it do not mention "
        f"{shown}: this answer gives what they say about {focus_word}."
    )


def asked_gap_notice(gaps: Sequence[str]) -> str:
    """The note on an answer none of whose sentences says what was asked of the medicine."""
    return (
        f"None of the sources found says {' or '.join(gaps)}: the medicine's package leaflet or a "
        "pharmacist can tell you."
    )


def _join(items: Sequence[str]) -> str:
    quoted = [f"'{i}'" for i in items]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


_DAYS = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday"
# Questions about the asker's own care that only their records can answer (issue 16, the "personal"
# kind of the unanswerable set): an event of their own care (a result, a reading, an appointment, a
# decision by their insurer, pharmacy or care team) pinned to a time or an outcome, or their own photo.
_CARE_WORDS = r"results?|readings?|appointments?|visit"
_CARE_EVENT = rf"(?:{_CARE_WORDS})"
_WHEN = rf"(?:last|next|latest|recent|yesterday|today|this (?:morning|week)|{_DAYS})"
_OWN_RECORDS = (
    re.compile(
        rf"\bmy (?:[a-z-]+ ){{0,3}}(?:{_CARE_WORDS}|insurance|chart|medical records?|patient portal|"
        rf"bill|claim|referral)\b.{{0,60}}\b(?:{_WHEN}|come back|came back|approved|scheduled)\b",
        re.I,
    ),
    re.compile(rf"\b{_WHEN}\b.{{0,40}}\bmy (?:[a-z-]+ ){{0,3}}{_CARE_EVENT}\b", re.I),
    re.compile(rf"\bmy (?:last|next|latest|recent|upcoming) (?:[a-z-]+ ){{0,2}}{_CARE_EVENT}\b", re.I),
    re.compile(r"\b(?:has|have|did) my (?:insurance|insurer|plan|claim|referral)\b", re.I),
    re.compile(r"\bwhich pharmacy did i\b|\bwhy did my (?:doctor|nurse|pharmacist|clinic) call\b", re.I),
    re.compile(
        rf"\bwhat (?:dose|medicine|drug) did my (?:doctor|nurse) (?:write|prescribe)\b.{{0,40}}\b{_WHEN}\b",
        re.I,
    ),
    re.compile(r"\bin the (?:photo|picture|image) i (?:took|sent|attached)\b", re.I),
)


def asks_about_own_records(question: str) -> bool:
    """True for a question only the asker's own records could answer ("Did my lab results from
    Tuesday come back normal?"); a question about a condition or drug of theirs is not one."""
    return any(p.search(question) for p in _OWN_RECORDS)


def is_non_medical(
    question: str,
    confidence: float,
    lexicon: Lexicon | None = None,
    known_fraction: float | None = None,
    drug_names: DrugNames | None = None,
    corpus_knows: Callable[[str], bool] | None = None,
    similarity: Callable[[], float | None] | None = None,
    min_similarity: float = 0.0,
    drugs: Collection[str] = (),
) -> bool:
    """Gibberish, or no medical cue at all and a meaning far from every retrieved passage.

    Without a cue, the best question-passage cosine (`similarity`, computed only then) decides when
    it is available: 'What is the capital of Australia?' has each word in some abstract of a large
    corpus but no passage about it, while 'What is Epilepsy?' is near its pages.  Without it (no
    embedder, or `min_similarity` 0) weak term coverage decides (a stray 'France' in an abstract).
    """
    if looks_like_gibberish(question, known_fraction):
        return True
    if has_medical_cue(question, lexicon, drug_names, corpus_knows, drugs):
        return False
    best = similarity() if similarity is not None and min_similarity > 0 else None
    if best is not None:
        return best < min_similarity
    # 0.75: a non-medical question must be almost fully covered by one passage to be answered.
    return confidence < 0.75


# What a question about a named thing asks besides the name ("side effects of X", "is X safe").
_ASKING = term_set(
    "dose dosage side effect effects work works safe safety interact interactions information info drug "
    "medicine medication pill treat treatment"
)
_NAME = re.compile(r"\b[A-Z][A-Za-z-]{3,}\b")
# Patients write names in lower case ("what is in norvasc"): a word no English dictionary has counts.
_LOWER_NAME = re.compile(r"\b[a-z][a-z-]{3,}\b")


def unknown_name(text: str, known_fraction: Callable[[str], float | None]) -> str | None:
    """The name a question asks about that the corpus never uses ("Lexapro?" once the filler is gone,
    "What is Zorvantrelix used for?", "what is in norvasc": capitalised, or a word no English dictionary
    has), when the question asks nothing else: it is not
    a non-medical question, the library lacks the name, and the notice should say so.  None when the
    corpus is unknown (`known_fraction` None) or the question has other topic words ("the capital of
    France", where France is unknown to a small corpus, stays non-medical)."""
    candidates = [*_NAME.findall(text), *(w for w in _LOWER_NAME.findall(text) if _technical(w))]
    names = [w for w in dict.fromkeys(candidates) if w.lower() not in STOPWORDS and known_fraction(w) == 0.0]
    if not names:
        return None
    named = {fold(t) for n in names for t in tokens(n)}
    others = [t for t in content_terms(text) if t not in named and t not in _ASKING]
    return names[0] if not others else None


def closest_topics(hits: Sequence[Hit], n: int = 3) -> tuple[str, ...]:
    """Titles of the best distinct documents, for abstentions."""
    seen: dict[str, None] = {}
    for hit in sorted(hits, key=lambda h: (-h.score, h.rank)):
        title = hit.chunk.title.strip()
        if title and title not in seen:
            seen[title] = None
        if len(seen) >= n:
            break
    return tuple(seen)
