"""The extractive composer (default, offline, deterministic).

Every sentence it shows is taken verbatim from a retrieved passage and cites it. Per tier: score
candidate sentences by relevance to the question (term overlap with the question and its intent),
by how on-topic their passage is and, for clinicians, by clinical specificity (drug, dose, route,
frequency, population); pick the best few, merge near-duplicates (their citations are unioned),
group them under short headings, and open with a lead naming the strongest, most recent source.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from rapidfuzz import fuzz

from corpus.sentences import without_leading_label
from medcite.settings import ComposeLimits, ComposerSettings
from medcite.types import Hit, Tier
from qa.audience import patient_view, reading_grade
from qa.drafts import Draft, tier_order
from qa.grading import design_phrase, evidence_rank, recency, study_design_for
from qa.safety import names_focus
from qa.textutil import (
    content_terms,
    expand_abbreviations,
    indication_list_sentences,
    list_item_sentences,
    split_sentences,
    term_set,
    tokens,
    words,
)

# What a question asks for -> words that mark sentences answering it.
INTENTS: dict[str, tuple[str, ...]] = {
    "treatment": ("treat", "treatment", "therapy", "therapie", "manage", "management", "cure"),
    "dosing": ("dose", "dosage", "dosing", "how much", "mg", "how often", "how many times", "frequency"),
    "side effects": ("side effect", "adverse", "safety", "risk", "toxicity", "harm"),
    "diagnosis": ("diagnos", "test", "screen", "detect"),
    "prevention": ("prevent", "avoid", "reduce the risk"),
    "cause": ("cause", "why", "risk factor", "etiology"),
    "symptoms": ("symptom", "sign", "feel"),
    # what people ask of a medicine they hold (MedicationQA's questions)
    "appearance": (
        "look like",
        "looks like",
        "color",
        "colour",
        "shape",
        "imprint",
        "what size pill",
        "identify",
    ),
    "ingredients": (
        "ingredient",
        "contain",
        "made of",
        "made from",
        "what is in ",
        "what's in ",
        "whats in ",
        "in the pill",
        "in the tablet",
        "in the capsule",
    ),
    # "ween off" is how people write it; "stopping" and "stop using" take the drug after them ("problems
    # when stopping metformin", "how to stop using estradiol patch")
    "stopping": (
        "wean",
        "ween off",
        "stop taking",
        "stop using",
        "stopping",
        "safely stop",
        "come off",
        "coming off",
        "taper",
        "withdraw",
        "quit",
    ),
    # "why shouldn't i take gemfibrozil while taking lovastatin", "what spices can be used while on warfarin"
    "interactions": (
        "interact",
        "mix",
        "together with",
        "take with",
        "taken with",
        "combine",
        "while taking",
        "while on ",
        "along with",
        "at the same time",
    ),
    "storage": (
        "store",
        "storage",
        "refrigerat",
        "fridge",
        "expire",
        "expiration",
        "shelf",
        "stay good",
        "still good",
        "go bad",
        "goes bad",
    ),
    "timing": (
        "when to take",
        "what time",
        "time of day",
        "bedtime",
        "bed time",
        "at night",
        "in the morning",
        "after dinner",
        "before meals",
        "after meals",
        "before a meal",
        "after a meal",
        "with food",
        "without food",
        "empty stomach",
    ),
    # no label says how a name is said: the answer says so (`ASKED_GAPS`) rather than answer another thing
    "pronunciation": ("pronounce", "pronunciation"),
    # whether a tablet may be cut, crushed or chewed ("how dangerous is cutting nifedipine er tablets"):
    # whole words, a pattern below
    "splitting": ("split", "crush", "swallow whole"),
}
INTENT_MARKERS: dict[str, frozenset[str]] = {
    "treatment": term_set(
        "treatment therapy therapies treated first-line second-line recommended corticosteroids "
        "glucocorticoids "
        "prednisone drug medication immunosuppressive agent agents response remission management regimen"
    ),
    "dosing": term_set(
        "dose dosage mg daily weekly administered twice once initial maintenance apply inhalations inject "
        "injected swallow"
    ),
    "side effects": term_set(
        "adverse effects reactions side toxicity risk warning contraindicated infection"
    ),
    "diagnosis": term_set(
        "diagnosis diagnostic test biopsy imaging criteria screening sensitivity specificity"
    ),
    "prevention": term_set("prevent prevention reduce risk vaccination screening avoid"),
    "cause": term_set("cause caused risk factor associated etiology due"),
    "symptoms": term_set("symptoms signs weakness pain rash fever presents"),
    "appearance": term_set(
        "tablet tablets capsule capsules round oval oblong white yellow blue pink orange green debossed "
        "imprinted engraved scored film-coated coated colored shaped supplied"
    ),
    "ingredients": term_set("ingredient ingredients inactive contains excipients active"),
    "stopping": term_set(
        "taper tapering tapered gradually withdrawal withdrawn discontinuation discontinue discontinued "
        "discontinuing stopping stop abrupt abruptly"
    ),
    "interactions": term_set(
        "interaction interactions concomitant concomitantly coadministration inhibitors inducers combination "
        "together alcohol"
    ),
    "storage": term_set(
        "store stored storage refrigerate refrigerator temperature room protect light expiration expiry "
        "expired freeze freezing frozen"
    ),
    "timing": term_set(
        "morning evening bedtime night meal meals food breakfast dinner supper stomach daily once twice hours"
    ),
    "pronunciation": term_set("pronounced pronunciation"),
    # what kind of medicine it is (the "class" cue of `_INTENT_CUES`); a sentence saying what it is
    # answers it too (`defines`)
    "class": term_set(
        "class inhibitor inhibitors blocker blockers antagonist agonist analog analogue derivative nsaid "
        "opioid benzodiazepine antibiotic diuretic stimulant antidepressant antihistamine anticholinergic "
        "cholinergic corticosteroid"
    ),
    # how long it stays in the body (the "elimination" cue of `_INTENT_CUES`)
    "elimination": term_set(
        "half-life elimination eliminated excreted excretion cleared clearance detected detectable stays"
    ),
    # how a medicine works (the "mechanism" cue of `_INTENT_CUES`): what it acts on and how
    "mechanism": term_set(
        "mechanism action acts inhibits inhibitor inhibition blocks blocking binds binding receptor "
        "receptors neurotransmitter neurotransmitters enzyme enzymes relaxes stimulates agonist antagonist "
        "facilitation"
    ),
    # whether a tablet may be cut, crushed or chewed: what its label says on swallowing it whole
    "splitting": term_set(
        "whole crush crushed crushing chew chewed chewing split splitting divide divided break broken cut "
        "scored"
    ),
    # the strengths a medicine comes in (the "strengths" cue of `_INTENT_CUES`)
    "strengths": term_set("mg mcg units strength strengths"),
    # what a medicine is for (the "indication" cue of `_INTENT_CUES`): a label's "is indicated for"
    "indication": term_set(
        "indicated indication indications treat treats treating treatment relief relieve management "
        "prevent prevention"
    ),
}
# Intent words say what is asked, not about what; they do not make a passage on-topic.
_INTENT_WORDS = term_set(
    "treatment treat treated therapy therapies management manage dose dosage dosing side effect effects "
    "adverse "
    "diagnosis diagnose test prevent prevention cause causes symptom symptoms sign signs risk best options "
    "option "
    "drug drugs medication medications recommended first-line patients patient people "
    # who gave it and why: "why did my doctor give me levetiracetam" is about levetiracetam
    "doctor doctors give gave given prescribe prescribed purpose meds come comes"
)

_DOSE = re.compile(
    r"\b\d+(?:\.\d+)?\s?(?:mg|mcg|µg|g|ml|mL|units?|IU|mg/kg|g/kg|mg/m2|%)(?:/(?:kg|day|d|m2|dose|week|"
    r"h))*\b",
    re.I,
)
_ROUTE = re.compile(
    r"\b(?:oral(?:ly)?|intravenous(?:ly)?|IV|subcutaneous(?:ly)?|intramuscular(?:ly)?|topical(?:ly)?|"
    r"inhaled|by mouth)\b",
    re.I,
)
_FREQUENCY = re.compile(r"\b(?:daily|weekly|monthly|twice|once|every \d+|per day|a day|bid|tid|qid)\b", re.I)
_POPULATION = re.compile(
    r"\b(?:adults?|children|pediatric|paediatric|adolescents?|infants?|elderly|older adults|"
    r"pregnan\w*|women|men|aged \d+)\b",
    re.I,
)
_DRUG = re.compile(
    r"\b\w+(?:mab|nib|vir|cillin|mycin|cycline|statin|pril|sartan|olol|azole|dipine|prazole|oxacin|parin|"
    r"gliptin|gliflozin|sone|olone|lone|trexate|prine|phamide|limus|sporine|globulin)\b|\bIVIG\b|"
    r"\bcorticosteroids?\b|\bglucocorticoids?\b|\bsteroids?\b|\bimmunoglobulin\b",
    re.I,
)
# Words that report a result: a sentence with one says what was found, whatever else it says.
_RESULT_WORDS = (
    r"\b(?:significant(?:ly)?|increased?|decreased?|higher|lower|greater|fewer|reduced?|reduction|improved?|"
    r"improvement|associated|difference|differ(?:ed|s)?|showed?|shown|found|revealed|demonstrated|resulted|"
    r"predict(?:ed|s|ive)?|odds|risk|ratio|p\s*[<=>])"
)
_FINITE = r"(?:is|are|was|were|has|have|had|may|can|could|should|will|would|must)"
_METHODS = re.compile(
    r"(?:we (?:searched|included|conducted|performed|enrolled|recruited|reviewed|aimed|sought|used|"
    r"analy[sz]ed)|"
    # "We present a case of ...": who the report is about, not what it found
    r"we (?:present|report|describe) (?:an? |the )?(?:[\w-]+ ){0,3}(?:cases?|patients?|series)\b|"
    r"(?:the )?(?:aim|objective|purpose|goal)s? (?:of|was|were|is)|"
    r"to (?:\w+ly )?(?:determine|assess|evaluate|investigate|examine|"
    r"compare|identify|describe)\b|this (?:study|trial|review|article|paper)\b|(?:patients|participants|"
    r"subjects)"
    r"(?: [\w-]+){0,4} were (?:randomi[sz]ed|randomly|enrolled|recruited|included|allocated)|"
    # the design, not the finding: "This was a prospective randomized, single-blinded comparison ...",
    # "Four trials compared ...", "Twenty-seven studies were included ...", "A retrospective study was
    # conducted on ..."
    r"this was an? (?:[\w,/-]+ ){0,6}(?:study|trial|analysis|comparison|review|series|survey|audit)\b|"
    # "Epidemiologic studies investigating ... were identified by searching the MEDLINE database ..."
    r"(?:[\w,/()-]+ ){1,15}(?:was|were) (?:identified|retrieved|found|located) (?:by|through) (?:a )?"
    r"(?:systematic )?(?:search|searching|searches)\b|"
    r"(?:[\w-]+ ){1,3}(?:trials|studies|RCTs) "
    r"(?:compared|were (?:included|identified|eligible|analy[sz]ed))\b"
    r"(?!.*\b(?:show(?:ed|s)?|found|reported|demonstrated|suggested|concluded)\b)|"
    r"an? (?:[\w,/-]+ ){0,6}(?:study|trial|analysis|review) (?:was|were) (?:conducted|performed|carried out|"
    r"undertaken|done)\b|"
    # a study's title standing as its first sentence, with no verb that says anything: "A prospective,
    # randomized, double-blind, placebo-controlled pilot study of sacubitril/valsartan (Entresto) in dogs
    # with cardiomegaly ..." ("A randomized trial comparing ... provided encouraging results" says something)
    r"an? (?:[\w,/-]+ ){0,8}(?:study|trial|analysis|meta-analysis|review|comparison|evaluation|"
    r"investigation|survey) (?:of|in|on|comparing|evaluating|among|between)\b"
    rf"(?!.*\b(?:{_FINITE}|might|do|does|did|found|"
    r"show(?:s|ed|n)?|suggest(?:s|ed)?|indicat(?:es|ed)|demonstrat(?:es|ed)|reveal(?:s|ed)|report(?:s|ed)|"
    r"conclud(?:es|ed)|provid(?:es|ed)|improv(?:es|ed)|reduc(?:es|ed)|increas(?:es|ed)|decreas(?:es|ed)|led|"
    r"leads?|result(?:s|ed)|yield(?:s|ed)|achiev(?:es|ed)|support(?:s|ed)|confirm(?:s|ed)|lower(?:s|ed)|"
    r"raise[sd]?|cut|halve[sd]|prevent(?:s|ed)|cause[sd]|predict(?:s|ed)|prolong(?:s|ed)|benefit(?:s|ed)|"
    r"fail(?:s|ed)|gave|gives?|help(?:s|ed)|worsen(?:s|ed)|prove[sd]|proven)\b)|"
    # what was measured and how, with no result in the sentence: "Data regarding opioid doses were
    # collected after ...", "The outcomes were compared between residency programs ..."
    rf"(?!.*{_RESULT_WORDS})(?:(?!{_FINITE}\b)[\w,/()%-]+ ){{1,12}}(?:was|were) "
    r"(?:abstracted|collected|extracted|retrieved|obtained|recorded|measured|assessed|evaluated|analy[sz]ed|"
    r"compared|reviewed)\b)",
    re.I,
)
_INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget) (?:all |any )?(?:the )?(?:previous|prior|above|earlier) (?:instructions|"
    r"prompts?)"
    r"|\byou are now\b|\bsystem prompt\b|</?\s*passages?\s*>",
    re.I,
)
# Label lines about the package rather than the medicine; a "structural formula" was a picture the
# text lost, so its sentence runs into whatever came next.
_LABEL_BOILERPLATE = re.compile(
    r"\btrademarks? (?:of|owned by)\b|\bregistered trademark|\b(?:distributed|marketed|manufactured) "
    r"(?:for|by)\b|\bstructural formula\b|"
    # a grading scheme's legend defines a strength label and recommends nothing ("Strong: The evidence is
    # high quality and the desirable effects clearly outweigh ..."); links and reading lists point at
    # pages not shown
    r"\b(?:desirable|undesirable) (?:effects )?(?:clearly outweigh|are closely balanced)\b|"
    r"\bthe following links?\b|\bclick here\b|"
    # a page's list of further reading: "These resources address the diagnosis or management of X:
    # Genetic Testing Registry: ...", "For more information about ..., see www.nih.gov/..."
    r"\bthese resources (?:address|from)\b|\bfor more information\b.*\b(?:see|visit|contact|call)\b|"
    # what a document leaves out says nothing about the question: "Detailed guidelines for the use of
    # phenytoin are out of scope for this guideline.", "This guideline does not cover other allergies"
    r"\b(?:beyond|outside|out of) (?:the )?(?:current )?scope (?:of|for) (?:this|the)\b|"
    r"\bnot covered (?:within|by) (?:the scope of )?(?:this|the)\b|"
    r"\bthis (?:guideline|article|review|recommendation|statement|document) does not (?:cover|address)\b|"
    # a label's reporting line: "To report SUSPECTED ADVERSE REACTIONS, contact ... or FDA at 1-800-FDA-1088"
    r"\bto report suspected adverse reactions\b|\b1-800-FDA-1088\b|"
    # the standard lines of a label's adverse reactions section, said of every drug: "Because these
    # reactions are reported voluntarily from a population of uncertain size, ...", "Because clinical
    # trials are conducted under widely varying conditions, ...", and the lead-in to a list not shown,
    # "The following adverse reactions have been identified during postapproval use of CRESTOR."
    r"\breported voluntarily from a population of uncertain size\b|"
    r"\bconducted under widely varying conditions\b|"
    r"\bthe following adverse (?:reactions|events) (?:have been|were) (?:identified|reported) during\b|"
    # a guideline summary's pointer to its grading legend: "The strength of recommendation (I-III) and
    # levels of evidence (A-D) are defined at the end of the "Major Recommendations" field."
    r"\bat the end of the \W?major recommendations\W? field\b",
    re.I,
)
# A table row run into a sentence: three numbers or more in a row with nothing between them ("... 20.2
# -12.1 -3.3 (-4.7, -1.9) Placebo ...", "Fatigue including asthenia 66 4 39 2 ...").
_NUMBER_RUN = re.compile(r"(?<![\w.,/-])-?\d+(?:\.\d+)?(?:\s+-?\d+(?:\.\d+)?){2,}(?![\w.%/])")
# A label's flattened text runs section numbers and headings into the next sentence: "8.6 ) When
# discontinuing ...", "1 INDICATIONS AND USAGE Lexapro is indicated ...", "3 DOSAGE FORMS AND STRENGTHS
# DILANTIN-125 is ...", "5.5 Risk of Digoxin Toxicity with Concomitant Use The inotropic effects ...".
# Cut, never reworded (`without_label_heading`).
_LABEL_LEAD_IN = re.compile(
    r"^(?:\(?\s*\d+(?:\.\d+)*\s*\)\s*)?(?:\d+(?:\.\d+)*\s+(?:[A-Z][A-Z&,/-]+\s+)+(?=[A-Z][a-z]))?"
)
# The numbered sections of an FDA label (21 CFR 201.57), whose capitals run straight into a product
# name in capitals as often as into a sentence; older labels leave the number out ("DESCRIPTION Valium
# (diazepam) is a benzodiazepine derivative.", "CONTRAINDICATIONS Tegretol should not be used ..."),
# and then the title is cut only before a capitalised word.
_LABEL_SECTION_TITLES = (
    r"(?:BOXED WARNING|WARNINGS AND PRECAUTIONS|WARNINGS|PRECAUTIONS|INDICATIONS AND USAGE|"
    r"INDICATIONS|USAGE|DOSAGE AND ADMINISTRATION|DOSAGE FORMS AND STRENGTHS|CONTRAINDICATIONS|"
    r"ADVERSE REACTIONS|DRUG INTERACTIONS|USE IN SPECIFIC POPULATIONS|DRUG ABUSE AND DEPENDENCE|"
    r"OVERDOSAGE|DESCRIPTION|CLINICAL PHARMACOLOGY|NONCLINICAL TOXICOLOGY|CLINICAL STUDIES|REFERENCES|"
    r"HOW SUPPLIED\s*/\s*STORAGE AND HANDLING|HOW SUPPLIED|STORAGE AND HANDLING|"
    r"PATIENT COUNSELING INFORMATION)"
)
_BARE_SECTION_TITLE = re.compile(rf"^{_LABEL_SECTION_TITLES}\s+(?=[A-Z][a-z]|[A-Z]{{2,}}\b)")
_LABEL_SECTION_TITLE = re.compile(
    rf"^\d{{1,2}}\s+{_LABEL_SECTION_TITLES}\s+(?=\S)|{_BARE_SECTION_TITLE.pattern}"
)
# A numbered subsection heading in title case before its first sentence: "5.5 Risk of Digoxin ...".
_NUMBERED_HEADING = re.compile(r"^\d{1,2}(?:\.\d{1,2})+\s+(?=[A-Z])|^\d{1,2}\s+(?=[A-Z][a-z])")
# Words a heading keeps in lower case ("Use in Patients with Renal Impairment").
_HEADING_SMALL_WORDS = frozenset(
    words("a an and as at by during for from in of on or the to vs with without")
)
# How a label's sentence opens after a subsection heading: where the heading surely ends.
_SENTENCE_OPENERS = frozenset(
    words(
        """
    The A An In If When Where Before After During Although Because Since For This These There It Its
    Patients Do Avoid Take Tell Use Treatment Side Most
    """
    )
)


def without_section_title(sentence: str, section: str | None) -> str:
    """A label sentence without its own section's title run into its start: 'How Supplied Amphetamine
    extended-release oral suspension has ...' in the How Supplied section, 'NURSING MOTHERS Nitrofurantoin
    has been detected ...' in Nursing Mothers (a section path's parts, without their numbers, count; a
    title of one word is left, since it may be the sentence's subject: 'Pregnancy Category C.')."""
    for part in re.split(r"\s*[;>]\s*", section or ""):
        title = re.sub(r"^\d+(?:\.\d+)*\s+", "", part).strip()
        # one word may be the sentence's own subject ("Pregnancy Category C.")
        if len(title.split()) >= 2 and sentence[: len(title)].lower() == title.lower():
            rest = sentence[len(title) :]
            if rest[:1] == " " and rest[1:2].isupper():
                return rest[1:]
    return sentence


# Function words that open a sentence: written with a capital after title-case words and no stop, they
# begin the sentence a heading ran into ("Sickle Cell Disease The safety of ADAKVEO was ...", "Drugs
# Highly Bound to Plasma Protein Because duloxetine ...", "Chest Pain or Discomfort The most common
# ..."), and so do the imperatives that open a label's counselling ("Fat Soluble Vitamin (FSV) Deficiency
# Advise patients ..."). 'A' is not one of them: "Hepatitis A vaccine" and "Vitamin A" name things.
_RUN_IN_OPENERS = frozenset(
    words("The An In If When Where Before After During Although Because Since For This These There It Its")
)
# A list bullet left inside a flattened label line, after its heading.
_BULLET_MARKS = frozenset("•▪●◦")
# How many words a run-in heading may have ("Prostate Cancer Combination Therapy with Docetaxel in
# Patients with Prostate Cancer" is 12).
_RUN_IN_HEADING_WORDS = 15


# A label draws its structural formula as a picture, and the caption that introduced it runs into the
# sentence after it: "Its structural formula is: Each FLOMAX capsule ... contains tamsulosin
# hydrochloride, USP 0.4 mg, and the following inactive ingredients: ...". What follows a capital letter
# after the caption is that sentence; one that goes on about the formula or the weight is not.
_FORMULA_CAPTION = re.compile(
    r"(?i:\bstructural formulae?s?\b[^.:]{0,50}?(?::|\b(?:is|follows|below)))\s+(?=[A-Z][a-z])"
)
_FORMULA_WORDS = re.compile(
    r"\bformulae?s?\b|\b(?:molecular|formula) weight\b|\bchemical (?:name|structure)\b", re.I
)


def after_formula_caption(sentence: str) -> str:
    """A label sentence without the structural formula's caption run into its start (`_FORMULA_CAPTION`);
    unchanged when it has none, or when what follows is about the formula too (it stays boilerplate)."""
    m = _FORMULA_CAPTION.search(sentence)
    if m is None:
        return sentence
    rest = sentence[m.end() :]
    return sentence if len(rest.split()) < 5 or _FORMULA_WORDS.search(rest) else rest


def without_run_in_heading(sentence: str) -> str:
    """A sentence without a title-case heading run into its start: cut before an opening function word
    or an imperative in capitals (`_RUN_IN_OPENERS`, `_IMPERATIVES`) that follows at least two heading
    words (capitalised, or a heading's small word after a capitalised one) and precedes a lower-case
    word; or after a list bullet that follows a heading; or a one-word heading before its namesake
    ("Medroxyprogesterone Medroxyprogesterone reduces ..."). Anything that opens in lower case or has a
    stop before the opener is a sentence, and stays."""
    tokens = sentence.split(" ")
    if len(tokens) > 2 and tokens[0][:1].isupper() and tokens[0] == tokens[1]:
        return " ".join(tokens[1:])
    for i, token in enumerate(tokens[: _RUN_IN_HEADING_WORDS + 1]):
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        if i >= 1 and token in _BULLET_MARKS and following[:1].isupper():
            return " ".join(tokens[i + 1 :])  # "Drug Interactions • Grapefruit may interact ..."
        if (
            i >= 2
            and (token in _RUN_IN_OPENERS or _is_imperative(token))
            and following[:1].islower()
            and tokens[i - 1] not in _HEADING_SMALL_WORDS
        ):
            return " ".join(tokens[i:])
        capitalised = token.lstrip("(")[:1].isupper() or (i > 0 and token.isdigit())
        if not (capitalised or (i > 0 and token in _HEADING_SMALL_WORDS)) or token.endswith((".", ":", ";")):
            return sentence
    return sentence


def _is_imperative(token: str) -> bool:
    """'Advise', 'Tell', 'Monitor': an imperative written as a sentence's first word."""
    return token[:1].isupper() and token[1:].islower() and token.lower() in _IMPERATIVES


# A label's subsection headings (the PLLR pregnancy and lactation headings and the usual ones of Use in
# Specific Populations, Precautions and Patient Counseling), which run into the sentence after them
# with no stop: "Nursing Mothers Doxepin is excreted ...", "Data Human Data Women receiving ...".
# One-word headings count only beside a longer one ("Pregnancy Category C." is a sentence).
_LABEL_SUBHEADINGS = (
    "Risk Summary|Clinical Considerations|Human Data|Animal Data|Nursing Mothers|Pediatric Use|"
    "Geriatric Use|Laboratory Tests|Renal Impairment|Hepatic Impairment|Information for Patients|"
    "Patient Counseling Information|General Patient Counseling|Impairment of Fertility|Labor and Delivery|"
    "Fetal/Neonatal Adverse Reactions|Disease-Associated Maternal and/or Embryo/Fetal Risks?|"
    "Females and Males of Reproductive Potential|"
    "Carcinogenesis,? Mutagenesis,? (?:and )?Impairment of Fertility"
)
_LABEL_SUBHEADING_RUN = re.compile(
    r"^(?:(?:Data|General|Pregnancy|Lactation|Infertility|Contraception)\s+)*"
    rf"(?:(?:{_LABEL_SUBHEADINGS})\s+)+(?:(?:Data|General)\s+)?(?=(?-i:[A-Z]))",
    re.I,
)

# "Disease-Associated Maternal and/or Embryo/Fetal Risk"
_SUBHEADING_SMALL_WORDS = _HEADING_SMALL_WORDS | {"and/or"}


# A label's product codes say nothing a reader asked: "(NDC 62559-165-01)" is cut (a stop put in its
# place when the text runs on into the next sentence: "... 30 g tubes (NDC 16110-812-30) NOTE: Avoid
# freezing."), a sentence ends before codes it runs into ("... on the reverse side) NDC: 70518-0305-00
# PACKAGING: 21 in 1 BOX ..."), and one that starts with them is a packing list.
_NDC_ASIDE = re.compile(r"\s*\(\s*NDC\b[^()]*\)(?P<next>\s+(?=[A-Z]))?")
_NDC_TAIL = re.compile(r"[\s,;:]+NDC\b.*$")
# A verb that makes what is left a statement, not a packing line.
_SAYS_SOMETHING = re.compile(
    r"\b(?:is|are|was|were|be|has|have|contains?|comes?|should|may|can|must|supplied|available)\b", re.I
)


def without_product_codes(sentence: str) -> str | None:
    """A label sentence without its NDC product codes (`_NDC_ASIDE`), or None when it lists them."""
    if re.match(r"\W*NDC\b", sentence):
        return None
    out = _NDC_ASIDE.sub(lambda m: ". " if m.group("next") else "", sentence)
    tail = _NDC_TAIL.search(out)
    if tail is not None:
        out = out[: tail.start()]
        out = out if out.endswith((".", "!", "?")) else out + "."
    if out != sentence and not _SAYS_SOMETHING.search(out):
        return None  # a packing line: "Oral Solution 5 mg/5 mL, peppermint flavor (240 mL) NDC # 0456-..."
    return out


# A label's pointer to the section that says more: "( 2.1 )", "( 5.2, 7.3, 12.3 )", "(7.2)." It is
# written with spaces inside, or holds a subsection number, or ends a clause; a count ("five (5) doses")
# or an item ("(1) decrease the effectiveness") is none of these. One before a bullet stays: it ends an item
# of a Highlights list ("• Osteoarthritis (OA) ( 1.1 ) • Rheumatoid Arthritis ..."), read as a list.
_SECTION_POINTER = re.compile(
    r"\s*\((?:\s+\d{1,2}(?:\.\d{1,2})?(?:\s*,\s*\d{1,2}(?:\.\d{1,2})?)*\s+|"
    r"\d{1,2}\.\d{1,2}(?:\s*,\s*\d{1,2}(?:\.\d{1,2})?)*|\d{1,2}(?=\)\s*(?:[.;:,]|$)))\)"
    r"(?!\s*•)(?P<next>\s*(?=[A-Z0-9][a-z0-9.]))?"
)


def without_section_pointers(text: str) -> str:
    """A label passage without its section pointers (`_SECTION_POINTER`). One that runs into the next
    sentence or heading ends its sentence there ("... symptomatic hypotension ( 5.2, 7.3, 12.3 ) 7.1
    Cytochrome P450 Inhibition ..."), so the two are read apart."""

    def cut(m: re.Match[str]) -> str:
        if m.group("next") is None:
            return ""
        ends = re.search(r"[.!?:;]\s*$", m.string[: m.start()]) is not None
        return " " if ends else ". "

    return _SECTION_POINTER.sub(cut, text)


def without_label_subheading(sentence: str) -> str:
    """A label sentence without the subsection headings run into its start ('Clinical Considerations
    Fetal/Neonatal Adverse Reactions Use of opioids ...' -> 'Use of opioids ...'); headings are matched
    in their usual capitalisation only."""
    m = _LABEL_SUBHEADING_RUN.match(sentence)
    if not m or any(w[:1].islower() and w.lower() not in _SUBHEADING_SMALL_WORDS for w in m.group().split()):
        return sentence
    return sentence[m.end() :]


def without_label_heading(sentence: str) -> str | None:
    """A label sentence without the section number and heading run into it, or None when a numbered
    heading is there but where it ends cannot be told ("5.3 Storage and Disposal Used SYNERA patches":
    'Used' may open the sentence or end the heading), so the sentence is not shown at all."""
    sentence = _LABEL_LEAD_IN.sub("", sentence)
    titled = _LABEL_SECTION_TITLE.match(sentence)
    if titled:  # "14 CLINICAL STUDIES 14.1 Osteoarthritis Pain The efficacy ...": a subsection may follow
        sentence = sentence[titled.end() :]
    numbered = _NUMBERED_HEADING.match(sentence)
    if not numbered:
        return sentence
    tokens = sentence[numbered.end() :].split(" ")
    # the heading's words run until the first lower-case word that is not a heading's small word; the
    # last capitalised word before it opens the sentence: a usual opener ("The"), or a product name in
    # capitals unless a participle that may open the sentence stands before it ("Used SYNERA patches")
    for i, token in enumerate(tokens):
        if not token[:1].islower() or token in _HEADING_SMALL_WORDS:
            continue
        j = max((k for k in range(i) if tokens[k][:1].isupper()), default=-1)
        if j <= 0:  # no heading before the sentence: "2 Tablets are ..." is a sentence with a number
            return " ".join(tokens) if "." in numbered.group() else sentence
        opener, before = tokens[j], tokens[j - 1]
        product = opener.isupper() and len(opener) > 2 and not before.lower().endswith(("ed", "ing"))
        return " ".join(tokens[j:]) if opener in _SENTENCE_OPENERS or product else None
    return None


# A source's own reference marks ("early in life [33].", "[1, 2]", "[12-14]"): shown beside MedCite's
# citation numbers they would read as references the answer does not have.  A bracket straight after
# a word is part of it ("G1P[8]", a rotavirus genotype) and stays.
_REFERENCE_MARK = re.compile(r"\s+\[\d+(?:\s*[,\u2013-]\s*\d+)*\](?=[\s.,;:)]|$)")
# ... and author-year marks: "(Frykberg et al., 2006; Brem et al., 2006)", "(Smith and Jones, 2010)",
# "(WHO, 2019)"; a date in brackets ("(October 2021)") is content and stays.
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_SURNAME = r"[A-Z][A-Za-z'’-]+"
_AUTHOR_YEAR = (
    rf"(?!{_MONTH}\s){_SURNAME}(?:\s+(?:and|&)\s+{_SURNAME}|\s+et\s+al\.?)?,?\s+(?:19|20)\d\d[a-z]?"
)
_AUTHOR_YEAR_MARK = re.compile(rf"\s*\({_AUTHOR_YEAR}(?:\s*[;,]\s*{_AUTHOR_YEAR})*\)")


# A table or figure the answer cannot show: an aside pointing at one ("(see Table 3 in the original
# guideline document; B-III)", "(Table 2)", "(Fig. 1)") is cut; a sentence that still speaks of one
# ("Table 6 shows ...", "... is shown in Table 3 for ...", "the table below") says nothing without it.
_FIGURE = r"(?:tables?|figures?|figs?\.?)"
_FIGURE_ASIDE = re.compile(
    rf"\s*\((?:see |refer to |(?:as )?shown in |cf\.? )?(?:{_FIGURE}\s*[A-Z]?\d|the original guideline "
    r"document)[^()]*\)",
    re.I,
)
_FIGURE_POINTER = re.compile(
    rf"\b{_FIGURE}\s+[A-Z]?\d+[a-z]?\b|\b(?:the|this) (?:table|figure) (?:below|above)\b|"
    r"\bthe following (?:table|figure)\b|\boriginal guideline document\b",
    re.I,
)


# A label's pointer to another of its sections ("[see Warnings and Precautions (5.10)]", "(see
# CLINICAL PHARMACOLOGY)"): the answer shows one passage, the reference links the whole label.
_SECTION_ASIDE = re.compile(r"\s*\[\s*[Ss]ee\b[^\[\]]*\]|\s*\(\s*[Ss]ee [A-Z][^()]*(?:\([^()]*\)[^()]*)*\)")


def without_figure_asides(sentence: str) -> str:
    """The sentence without asides that point at a table, a figure ("(see Table 3 ...)") or another
    section of its label ("[see Warnings and Precautions (5.4)]")."""
    return _SECTION_ASIDE.sub("", _FIGURE_ASIDE.sub("", sentence))


def without_reference_marks(sentence: str) -> str:
    """The sentence without the source's own reference marks, numbered or author-year."""
    return _AUTHOR_YEAR_MARK.sub("", _REFERENCE_MARK.sub("", sentence))


_STATS = re.compile(
    r"95%\s?CI|\bp\s?[<=>]\s?0?\.\d|\b(?:OR|HR|RR)\s?[=:]?\s?\d|confidence interval|odds ratio", re.I
)

# Group headings, first match wins (so a dosing sentence about a drug is filed under Dosing).
GROUP_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "Safety",
        re.compile(
            r"adverse|side effect|toxicit|warning|contraindicat|risk of|complication|caution|"
            r"fatal|death|harm|avoid",
            re.I,
        ),
    ),
    ("Dosing", re.compile(r"\bdos(?:e|es|age|ing)\b|\bmg\b|mg/kg|\btaper|\bregimen\b|administ", re.I)),
    (
        "Monitoring",
        re.compile(
            r"monitor|follow-up|assess(?:ed|ment)? (?:every|regularly)|check(?:ed)? (?:regularly|"
            r"periodically)|measure|surveillance|levels? (?:of|should)",
            re.I,
        ),
    ),
    (
        "Supportive care",
        re.compile(
            r"physical therapy|physiotherap|exercise|rehabilitat|sun ?screen|sun protect|"
            r"supportive|diet|counsel|skin care|lifestyle|education",
            re.I,
        ),
    ),
    # A recommendation is a treatment component even when it names the patients it is for ("refractory").
    (
        "Key treatment components",
        re.compile(
            r"recommend|first-line|second-line|\bindicated\b|mainstay|standard "
            r"treatment",
            re.I,
        ),
    ),
    (
        "Treatment response",
        re.compile(
            r"respon(?:se|d)|remission|improve|effective|efficacy|outcome|relapse|"
            r"refractory|resistant|benefit",
            re.I,
        ),
    ),
    (
        "Key treatment components",
        re.compile(
            r"treat|therap|first-line|second-line|recommend|drug|medication|"
            r"agent|steroid|immunosuppress|surgery|\bIVIG\b|immunoglobulin",
            re.I,
        ),
    ),
)
# Display order of bullet groups (matching order above is a different concern): what to give first,
# then how, what to watch for, and what else helps (DESIGN.md section 1 anatomy).
GROUP_ORDER = [
    "Key treatment components",
    "Dosing",
    "Monitoring",
    "Safety",
    "Supportive care",
    "Treatment response",
    "Other findings",
]


def group_for(sentence: str) -> str:
    """Short bullet heading by keyword rules."""
    for name, pattern in GROUP_RULES:
        if pattern.search(sentence):
            return name
    return "Other findings"


# What a drug label's section answers (label sections carry their titles in `chunk.section`): a
# passage from a section that answers another kind of question is weaker evidence for this one — an
# adverse-reactions line that names a disease is not how that disease is treated.
LABEL_SECTION_INTENTS: tuple[tuple[re.Pattern[str], frozenset[str]], ...] = (
    (re.compile(r"indication|usage", re.I), frozenset({"treatment", "indication", "class"})),
    (
        re.compile(r"how supplied|storage", re.I),
        frozenset({"dosing", "appearance", "storage", "strengths", "splitting"}),
    ),
    (re.compile(r"description|ingredient", re.I), frozenset({"appearance", "ingredients", "class"})),
    (re.compile(r"interaction", re.I), frozenset({"interactions"})),
    (
        re.compile(r"dosage|administration|strength", re.I),
        frozenset({"dosing", "treatment", "stopping", "strengths", "splitting"}),
    ),
    (
        re.compile(r"adverse|warning|precaution|boxed|overdos|contraindicat|toxicolog", re.I),
        frozenset({"side effects"}),
    ),
)
OFF_INTENT_SECTION_WEIGHT = 0.5


# A label section each of whose sentences says one thing a question may ask: a harm (its adverse
# reactions, warnings, contraindications, overdose) or an interaction, whether or not the sentence has
# the word ("Four of 130 (3%) patients treated with CRESTOR ... had increased CK greater than 10 x ULN").
SECTIONS_THAT_SAY: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"adverse|warning|precaution|boxed|contraindicat|overdos", re.I), "side effects"),
    (re.compile(r"interaction", re.I), "interactions"),
)


def section_speaks(hit: Hit, intents: Sequence[str]) -> bool:
    """Whether a label passage's section says what one of `intents` asks (`SECTIONS_THAT_SAY`)."""
    if hit.chunk.tier is not Tier.DRUG_LABEL:
        return False
    section = hit.chunk.section or ""
    return any(intent in intents and pattern.search(section) for pattern, intent in SECTIONS_THAT_SAY)


# A label's pharmacology sections say how a medicine works. They answer a question asking that, and are
# weighed as before for any other (they may hold a dose or an interaction too).
MECHANISM_SECTION = re.compile(r"mechanism|pharmacodynamic|clinical pharmacology", re.I)


# What no label section says (how a name is said): asking it leaves every section's weight as it was.
NO_SECTION_SAYS = frozenset({"pronunciation"})


def section_weight(hit: Hit, intents: Sequence[str]) -> float:
    """1, or OFF_INTENT_SECTION_WEIGHT for a label section that answers none of the question's intents."""
    intents = [i for i in intents if i not in NO_SECTION_SAYS]
    if hit.chunk.tier is not Tier.DRUG_LABEL or not intents:
        return 1.0
    if "mechanism" in intents and MECHANISM_SECTION.search(hit.chunk.section or ""):
        return 1.0
    for pattern, answers in LABEL_SECTION_INTENTS:
        if pattern.search(hit.chunk.section or ""):
            return 1.0 if answers & set(intents) else OFF_INTENT_SECTION_WEIGHT
    return 1.0


# What a question asks of a medicine, said back when no sentence shown speaks to it ("what color is
# 30mg prednisone" answered with what prednisone is for).
# Each with the words that say it: for appearance a colour or a shape, not any mention of "tablets".
ASKED_GAPS: dict[str, tuple[str, frozenset[str]]] = {
    "appearance": (
        "what {name} looks like",
        term_set(
            "white yellow blue pink orange green red purple brown beige peach round oval oblong "
            "capsule-shaped debossed imprinted engraved colored coloured"
        ),
    ),
    "ingredients": ("what {name} contains", INTENT_MARKERS["ingredients"]),
    "storage": ("how to store {name}", INTENT_MARKERS["storage"]),
    # the time of day or a meal, not how often: "48 hours after the procedure" does not say it
    "timing": (
        "when in the day to take {name}",
        term_set("morning evening bedtime night meal meals food breakfast lunch dinner supper stomach"),
    ),
    "stopping": ("how to stop taking {name}", INTENT_MARKERS["stopping"]),
    "strengths": ("what strengths {name} comes in", INTENT_MARKERS["strengths"]),
    "splitting": ("whether {name} may be cut, crushed or chewed", INTENT_MARKERS["splitting"]),
    "pronunciation": ("how to say {name}", INTENT_MARKERS["pronunciation"]),
    "elimination": ("how long {name} stays in the body", INTENT_MARKERS["elimination"]),
}


# A strength a medicine comes in: an amount, alone or per volume ("10 mg", "125 mg/5 mL", "100 units/mL"),
# not a dose per day or per kilogram ("2 g/day", "5 mg/kg"), nor a level in the blood (`_BLOOD_LEVEL`).
_STRENGTH = re.compile(
    r"\d\s*(?:mg|mcg|µg|g|units?|mEq|%)(?!\s*/\s*(?:kg|min|h|hr|hours?|d|day)\b)(?![A-Za-z])"
)
_BLOOD_LEVEL = re.compile(
    r"\b(?:plasma|serum|blood) (?:levels?|concentrations?)\b|\bsteady.state\b|\bCmax\b|\bAUC\b", re.I
)


def says_asked(markers: frozenset[str], terms: frozenset[str], sentence: str) -> bool:
    """Whether a sentence says one thing asked (`asked_markers`): it has one of its words, and for the
    strengths a medicine comes in, an amount that is one ("steady state plasma levels ... are usually
    <1 mcg/mL" has the word "mcg" and no strength)."""
    if markers == INTENT_MARKERS["strengths"]:
        return bool(_STRENGTH.search(sentence)) and not _BLOOD_LEVEL.search(sentence)
    return bool(markers & terms)


def asked_markers(question: str) -> tuple[frozenset[str], ...]:
    """The words that say what the question asks of a medicine (`ASKED_GAPS`: how it looks, what it
    contains, how to store it, when to take it, how to stop it), one set per thing asked; () when it
    asks none of them."""
    return tuple(ASKED_GAPS[i][1] for i in question_intents(question) if i in ASKED_GAPS)


def unanswered_asks(question: str, shown: Sequence[str], name: str) -> list[str]:
    """What the question asks of a medicine (`ASKED_GAPS`) that no shown sentence speaks to (none has
    a marker word of that intent), phrased with the medicine's `name`."""
    said: set[str] = set()
    for text in shown:
        said |= term_set(text)
    return [
        ASKED_GAPS[i][0].format(name=name)
        for i in question_intents(question)
        if i in ASKED_GAPS and not ASKED_GAPS[i][1] & said
    ]


# A cue starts a word ("treat" in "treatments", "mg" in "300mg"), never inside one ("store" in "restore").
_INTENT_CUES = {
    name: re.compile(r"(?<![a-z])(?:" + "|".join(map(re.escape, cues)) + ")")
    for name, cues in INTENTS.items()
}
# How a medicine works or what it does in the body ("how does valium affect the brain", "breo inhaler
# how it works", "what does metformin do"): a phrase with the medicine inside it, so a pattern. "How do
# I stop ...", "what do I do if ..." and "how fast does it work" (timing) are not asking it.
_INTENT_CUES["mechanism"] = re.compile(
    r"\bhow (?:does|do|is|will)\b[\w\s,/-]{1,40}?\b(?:works?|acts?|affects?|effects?)\b|"
    r"\bhow (?:it|they|this|that|[\w-]+) works?\b|\bmechanism\b|\b(?:mode|way) of action\b|\baction of\b|"
    r"\bwhat does (?!it\b)[\w\s-]{2,40}? do\b(?! (?:if|when)\b)"
)
# The strengths a medicine comes in ("what strengths does valproic acid come in", "what mg does lunesta
# come in", "how many milligrams in tramadol", "fluoxetine what mgs are available", "what mg. does
# meprobamate have?"): the label's dosage forms and strengths answer it.
_INTENT_CUES["strengths"] = re.compile(
    r"\b(?:strengths?|milligrams?)\b(?:[\w\s-]{0,40}?\bcomes?\s+\"?in\b)?|"
    r"\b(?:mg|mgs|doses?|sizes)\b[\w\s-]{0,30}?\b(?:comes?\s+\"?in|(?:is|are) available)\b|"
    r"\bwhat (?:mg|mgs)\b\.?\s+does [\w-]+ have\b"
)
# How to take or use a medicine ("how to use spiriva", "how do you take clindamycin", "how is
# cyanocobalamin administered", "how should i dilute ceftriaxone"): its dosage and administration.
_INTENT_CUES["dosing"] = re.compile(
    f"{_INTENT_CUES['dosing'].pattern}|"
    r"\bhow (?:to|do i|do you|should i|should you|can i|does one)\s+(?:[\w-]+\s+){0,2}?(?:use|take|apply|"
    r"inject|administer|give|dilute|prep|prepare|insert|inhale|mix)\b|"
    r"\bhow (?:is|are)\b[\w\s-]{1,40}?\b(?:taken|used|given|administered|applied|injected)\b"
)
# What kind of medicine it is ("what class is diazepam", "what type of drug is amphetamine", "is
# pramoxine a nsaid?"): the label's description and indications say it ("... is an opioid agonist").
_INTENT_CUES["class"] = re.compile(
    r"\b(?:drug |pharmacologic |therapeutic )?class(?:ification)?\b|"
    r"\bwhat (?:type|kind|sort) (?:of|if) (?:a )?(?:drug|medicine|medication)\b|"
    r"\bis (?:it |[\w-]+ )(?:an?|the) (?:nsaid|opioid|narcotic|steroid|antibiotic|benzodiazepine|diuretic|"
    r"stimulant|ssri|snri|maoi|beta.?blocker|ace inhibitor|antihistamine|antidepressant|anticholinergic|"
    r"cholinergic|blood thinner|controlled substance)\b"
)
# Whether a tablet may be cut, crushed or chewed, as whole words ("cut" is not "cutaneous", and "cut
# back on alcohol" is not cutting a tablet).
_INTENT_CUES["splitting"] = re.compile(
    r"\b(?:cut|cutting)\b(?!\s+(?:back|down|out|off)\b)|\b(?:split|splitting|crush|crushed|crushing)\b|"
    r"\b(?:chew|chewing|chewed)\b|\bbreak (?:it|them|the|a)\b|\bin half\b|\bopen (?:the|a) capsule|"
    r"\bswallow(?:ed)? whole\b"
)
# How long a medicine stays in the body ("how long does chlordiazepoxide stay in system", "how long to get
# carbidopa levodopa out of your system"): its pharmacokinetics (half-life, elimination) say it.
_INTENT_CUES["elimination"] = re.compile(
    r"\bhow long\b[\w\s-]{0,40}?\b(?:stay|stays|remain|remains|last|lasts|leave|out of)\b[\w\s\"-]{0,20}?"
    r"\b(?:system|body|urine|blood|breast milk)\b|\bhalf.?life\b|\bout of (?:your|my|the) system\b|"
    # "how long does heroin stay in toxicology test", "... to clear a drug screen"
    r"\b(?:stay|stays|show|shows|detect\w*|clear)\b[\w\s-]{0,20}?"
    r"\b(?:drug|urine|toxicology|tox) (?:test|screen)"
)
# What a medicine is for ("what is xifaxan used for", "why did my doctor give me levetiracetam", "qvar
# 40mcg what is it for", "bupropion 300mg is good for what?"): the label's indications answer it. "Is
# dicyclomine good for heartburn?" asks yes or no about one use, and "what size syringe to use for ..."
# how, not what for.
# "why prozac used", "why to take vicodin", "why take simvastatin", "why was i given ...": what for.
_WHY_FOR_REST = (
    r"\s+(?:to\s+|should\s+i\s+|do\s+i\s+|do\s+you\s+|would\s+i\s+)?(?:take|use)\b|"
    r"[\w\s-]{1,40}?\b(?:used|prescribed|given|give|gave|put me on)\b"
)
_WHY_FOR = rf"\bwhy\b(?:{_WHY_FOR_REST})"
_INTENT_CUES["indication"] = re.compile(
    r"\bwhat (?:is|are|'s)\b[\w\s./-]{1,60}?\b(?:used|prescribed|given|taken|it|they|this|good) "
    r"(?:for|to treat)\b(?!\s+(?!what)\w)|"
    r"\b(?:is|are)\s+(?:it\s+|this\s+|they\s+)?(?:used\s+|good\s+|prescribed\s+)?for what\b|"
    r"\bwhy (?:did|do|does|would|is|are|was|were|has|have)\b[\w\s-]{1,40}?\b(?:give|gave|given|"
    r"prescribe|prescribed|put me on)\b|"
    r"\bpurpose\b|\bwhat (?:does|do|will|can) [\w\s-]{2,40}? treat\b|\bused to treat\b|\bindications?\b|"
    + _WHY_FOR
)
# "why" asks what a medicine is for there, not what causes something: "why is it used" is no cause
_INTENT_CUES["cause"] = re.compile(rf"(?<![a-z])(?:cause|risk factor|etiology)|\bwhy\b(?!{_WHY_FOR_REST})")


# A question that only names something ("What is COPD?", "what are barbiturates", "What is (are)
# Hemorrhoids?") asks what it is; a sentence that says what its subject is answers it.
_WHAT_IS = re.compile(
    r"^\s*what(?:'s|s| is| are)\s+(?:\(are\)\s+)?(?:an?\s+|the\s+)?"
    r"[\w'’/()-]+(?:\s+[\w'’/()-]+){0,5}\s*\??\s*$",
    re.I,
)
_DEFINITION = re.compile(
    r"^(?P<subject>[^,;:.]{2,100}?)\s+(?:(?:is|are)\s+(?:a|an|one|any|the (?:most|name|term))\b|"
    r"refers? to\b|is defined as\b|means\b)",
    re.I,
)


# Things named by a letter after a common word: vitamin A and vitamin D, hepatitis B and C. The word
# alone names them all, so "vitamin" is the focus of "why is vitamin a important to the body" and a page
# on vitamin D names it; the letter tells them apart. (Not type 1 and type 2 diabetes: a question on one
# is often answered by what holds for the other, "rare variants in PPARG and type 1 diabetes".)
_KIND = re.compile(r"\b(vitamins?|vit|hepatitis|hep)\.?\s+([a-ek]\d{0,2})\b", re.I)


def _kinds(text: str) -> dict[str, set[str]]:
    """The kinds a text names per head word: {'vitamin': {'a', 'd'}}."""
    out: dict[str, set[str]] = {}
    for m in _KIND.finditer(text):
        head = m.group(1).lower()
        head = {"vitamins": "vitamin", "vit": "vitamin", "hep": "hepatitis"}.get(head, head)
        out.setdefault(head, set()).add(m.group(2).lower())
    return out


def names_another_kind(text: str, asked: Mapping[str, set[str]]) -> bool:
    """Whether the text names a kind of what was asked about (`_kinds` of the question) other than the
    one asked, and not that one: vitamin D when asked about vitamin A. A kind and its subkinds are one
    ("vitamin B" and "vitamin B12")."""
    return _another_kind(_kinds(text), asked)


def _another_kind(named: Mapping[str, set[str]], asked: Mapping[str, set[str]]) -> bool:
    for head, kinds in named.items():
        wanted = asked.get(head)
        if not wanted:
            continue
        same = any(k.startswith(w) or w.startswith(k) for k in kinds for w in wanted)
        if not same:
            return True
    return False


def asks_what_it_is(question: str) -> bool:
    """Whether the question only asks what something is ("What is COPD?")."""
    return _WHAT_IS.match(question) is not None


# What a "what is ..." question asks of its subject when a word joins it to another: "what is
# contraindication of carbamazepine", "what is usual infusion time for cetuximab" ask a property of it.
_RELATION_WORDS = frozenset(words("of for in on to with from by at between during after before without"))


def asks_to_define(question: str) -> bool:
    """Whether the question asks what one thing is ("What is Stroke?", "what is medical marijuana"), not
    a property of something ("what is brand name of acetaminophen") nor anything else it asks
    (`question_intents`): a sentence that says what its subject is (`defines`) answers it."""
    if question_intents(question) or not asks_what_it_is(question):
        return False
    return not set(tokens(question)) & _RELATION_WORDS


def defines(sentence: str, topic: Collection[str]) -> bool:
    """Whether the sentence says what one of the `topic` terms is: "Chronic obstructive pulmonary
    disease (COPD) is a lung disease ...", "Barbiturates are a class of drugs ..."."""
    m = _DEFINITION.match(sentence)
    return m is not None and bool(term_set(m.group("subject")) & set(topic))


def question_intents(question: str) -> list[str]:
    q = question.lower()
    return [name for name, cue in _INTENT_CUES.items() if cue.search(q)]


def asking_words(question: str) -> frozenset[str]:
    """The words of the phrases that ask something of the question ("how long does lexapro stay in your
    system": how, long, does, lexapro, stay, in, your, system), in lower case."""
    q = question.lower()
    return frozenset(w for cue in _INTENT_CUES.values() for m in cue.finditer(q) for w in tokens(m.group(0)))


def says_what_is_asked(word: str, question: str = "") -> bool:
    """Whether a question word says what is asked, not about what ("wean", "dose", "doctor" in "why did
    my doctor give me X", "come" in "what strengths does X come in", or any word of a phrase of the
    `question` that asks something: "stay" in "how long does X stay in your system"): a passage need
    not use it to answer the question."""
    if question_intents(word) or term_set(word) & _INTENT_WORDS:
        return True
    return bool(question) and word.lower() in asking_words(question)


def specificity(sentence: str) -> float:
    """0-1: how many of drug / dose / route / frequency / population the sentence names."""
    cues = (_DRUG, _DOSE, _ROUTE, _FREQUENCY, _POPULATION)
    return sum(1 for c in cues if c.search(sentence)) / len(cues)


# How much each section shows (`ComposeLimits` per audience and tier), the relative-score floor and
# the merge ratio are `settings.composer`.


@dataclass(frozen=True)
class Candidate:
    sentence: str
    hit: Hit
    score: float
    # the score before the patient's readability cost: what the relevance floor is judged on, so
    # preferring plain sentences reorders the candidates without leaving fewer of them
    relevance: float | None = None
    # it speaks to what the question asks (one of its intents' words; asked what something is, it says
    # what it is, `defines`), or the question asks nothing
    speaks: bool = True


# A list's lead-in joined to its one item by the bullet's dash: "contraindicated in - Patients with
# hypersensitivity", "Other medications - Intranasal cromolyn (OTC)".
_LEAD_IN_DASH = re.compile(r"(?<=[A-Za-z)])\s+-\s+(?=[A-Z])")


# The same with the item in lower case after a verb that takes it ("tablets are used - for relief of
# mild to moderate pain", "should only be used - at the lowest dose"): the sentence reads on without it.
_VERB_DASH = re.compile(
    r"\b(used|given|taken|indicated|applied)\s+-\s+(?=(?:for|at|in|to|with|as|by|when|if)\b)"
)


def list_lead_in(sentence: str) -> str:
    """A lead-in joined to its only list item by a dash reads with a colon instead ("... in: Patients
    with ..."), or with no mark where a verb runs on into the item ("are used for relief ..."); a
    sentence with more dashes is left to `_usable`, which drops a list run together."""
    if len(re.findall(r"\s-\s", sentence)) != 1:
        return sentence
    return _VERB_DASH.sub(r"\1 ", _LEAD_IN_DASH.sub(": ", sentence))


# A list item continuing a lead-in that is not shown ("Do not take it if you are: - Taking, or within 14
# days of stopping, MAOIs ..."): a gerund, then a comma.
_GERUND_ITEM = re.compile(r"[A-Z][a-z]+ing,\s")

# A "sentence" holding this many " - " separators is a list whose lines were joined, not a sentence.
FLATTENED_LIST_DASHES = 3


# A verb of any kind, finite or a participle: what a sentence opening with a number needs to be one.
_HAS_VERB = re.compile(
    r"\b(?:is|are|was|were|be|been|has|have|had|contains?|comes?|should|may|might|can|could|must|will|"
    r"would|take|takes|give|gives|use|uses|increase|increases|reduce|reduces|occur|occurs|cause|causes|"
    r"need|needs|\w+ed|\w+en)\b",
    re.I,
)


# A list whose next items were cut off: it ends on its conjunction ("..., or.", "... and.").
_CUT_LIST = re.compile(r"[,;]?\s+(?:or|and)\s*[.!]$", re.I)


def _usable(sentence: str, limits: ComposeLimits) -> bool:
    s = sentence.strip()
    if not (limits.min_chars <= len(s) <= limits.max_chars) or len(s.split()) < 5:
        return False
    if s.endswith((":", "?")) or s.isupper() or not (s[0].isupper() or s[0].isdigit()):
        return False  # headings, questions and fragments (snippets cut mid-sentence)
    if not s.rstrip("\"')]").endswith((".", "!")):
        return False
    if _METHODS.match(s):
        return False  # how a study was done is not what it found
    if _INJECTION.search(s):
        return False  # text addressed to a language model is not medical evidence
    if _LABEL_BOILERPLATE.search(s):
        return False  # trademarks, distributors, a formula drawn as a picture: nothing to tell a reader
    if _FIGURE_POINTER.search(s):
        return False  # "Table 6 shows ...": the table is not in the answer
    if s[0].isdigit() and not _HAS_VERB.search(s):
        return False  # "2 mg to 10 mg, 2 to 4 times daily Geriatric Patients, ...": a table row or list item
    if _NUMBER_RUN.search(s):
        return False  # a table's row: its numbers mean nothing without the table's columns
    if s.count(" - ") >= FLATTENED_LIST_DASHES:
        return False  # "Absent reflex - Babinski sign - Dysarthria - ...": a list or table run together
    if _GERUND_ITEM.match(s):
        return False  # "Taking, or within 14 days of stopping, MAOIs, ...": an item of a list not shown
    if _CUT_LIST.search(s):
        return False  # "Offer one of the following first: Oxybutynin (immediate release), or.": items cut
    return sum(c.isalpha() for c in s) / len(s) > 0.6  # drops tables and reference lists


# Non-drug measures: a treatment answer covers them as it covers drugs (issue 17: supportive care).
_MEASURE = re.compile(
    r"physical therap|physiotherap|occupational therap|exercise|rehabilitat|\brest\b|sun ?screen|"
    r"sun protect|\bdiet|surgery|surgical|counsel|speech therap|splint|heat|massage|weight loss|"
    r"smoking cessation|vaccin",
    re.I,
)


# Score a patient's candidate sentence loses per Flesch-Kincaid grade above 8 (as the reader will see
# it): it reorders the candidates, while the relevance floor ignores it (see `Candidate.relevance`).
READING_COST = 0.08

# Where a patient's long sentence is split (the settings' default, for callers without settings).
_PATIENT_MAX_WORDS: int = ComposerSettings.model_fields["patient_max_words"].default


# What an interaction study measures of the other drug: "a 17% decrease in the plasma clearance of
# lorazepam", "the AUC of digoxin increased".
# ("half-life" is not one: "nitroglycerin (an organic nitrate with a very short half-life)" describes it)
PK_MEASURE = re.compile(
    r"\bclearance\b|\bAUC\b|\bCmax\b|\b(?:plasma|serum|blood) (?:levels?|concentrations?)\b|\bexposure\b|"
    r"\bpharmacokinetics?\b",
    re.I,
)


# A label's list of what else its product holds: "Inactive ingredients: colloidal silicon dioxide, corn
# starch, docusate sodium ...", "Excipients are D-mannitol, ... magnesium stearate".
EXCIPIENTS = re.compile(r"\binactive ingredients?\b|\bexcipients?\b", re.I)


def another_products_label(hit: Hit, q_terms: set[str]) -> bool:
    """Whether a passage is the label of a product the question does not name (its title shares no
    term with the question): what it lists as inactive ingredients (`EXCIPIENTS`) are that product's
    fillers, not an answer about them ("what is docusate sodium" is not answered by alprazolam's
    inactive ingredients)."""
    return hit.chunk.tier is Tier.DRUG_LABEL and not q_terms & term_set(hit.chunk.title)


# What another drug's label says of the focus as the other drug of an interaction: a change to its dose
# ("the dose of amlodipine should be decreased by at least 50%", "reduce the quetiapine dose"), a row of
# an interaction table ("amlodipine ... ↑ calcium channel blockers"), a study of the two given together
# ("co-administration", "drug interaction studies"), the enzymes they share ("substrates of CYP3A4 (e.g.,
# clonazepam)"), or anything its interaction section says.
_DOSE_CHANGE = re.compile(
    r"\b(?:dose|doses|dosage|dosing)\b[^.;]{0,40}?\b(?:decreas|reduc|adjust|increas|lower|halv)\w*|"
    r"\b(?:decreas|reduc|adjust|lower|increas|halv)\w*\s+(?:the\s+)?(?:[\w-]+\s+)?(?:dose|doses|dosage)\b",
    re.I,
)
_TAKEN_TOGETHER = re.compile(r"[↑↓]|\binteraction\w*|\bco-?administ\w*|\bCYP\s?\d\w*|\bsubstrates?\b", re.I)
# where a label studies other drugs with its own: interactions, and the pharmacokinetics that measure them
_INTERACTION_SECTION = re.compile(r"\binteractions?\b|\bpharmacokinetics?\b", re.I)


def said_of_the_other_drug(hit: Hit, sentence: str) -> bool:
    """Whether a sentence of another drug's label (`studies_the_other_drug`) speaks of the focus as the
    other drug of an interaction: it comes from the label's interaction or pharmacokinetics section
    (Viekira Pak's table row "Cyclobenzaprine 5 single dose 14 0.68" is no class), measures the focus
    (`PK_MEASURE`), changes its dose or studies the two together. "How to stop taking amlodipine" is not
    answered by Viekira Pak's "the dose of amlodipine should be decreased by at least 50%", nor "how to
    take clotrimazole" by Prograf's "Mild or Moderate CYP3A Inhibitors: Clotrimazole, ...", nor
    "famotidine 10 mg?" by Harvoni's "H2-receptor antagonists may be administered simultaneously with
    ... ledipasvir and sofosbuvir"."""
    return bool(
        _INTERACTION_SECTION.search(hit.chunk.section)
        or PK_MEASURE.search(sentence)
        or _DOSE_CHANGE.search(sentence)
        or _TAKEN_TOGETHER.search(sentence)
    )


# Where a label tells what its product may do to people: its adverse reactions, warnings, precautions,
# contraindications and overdosage, or a sentence on them ("hemolytic anemia can happen in some people
# who take ALECENSA"; Rinvoq's "Avoid use of live vaccines during ... RINVOQ therapy").
_ADVERSE_SECTION = re.compile(
    r"\badverse\b|\bside effects?\b|\bpostmarketing\b|\bundesirable\b|\bwarnings?\b|\bprecautions?\b|"
    r"\bcontraindicat\w*|\boverdos\w*|\babuse\b",
    re.I,
)
_HARM_SAID = re.compile(
    r"\badverse (?:reactions?|events?|effects?|experiences?)\b|\bside effects?\b|"
    r"\b(?:can|may) (?:happen|occur) in (?:some )?(?:people|patients) who (?:take|use|receive)\b",
    re.I,
)
# What a question asks that another product's harms answer: its own harms, causes, interactions.
_HARM_INTENTS = frozenset({"side effects", "cause", "interactions"})


def names_the_others_harm(hit: Hit, sentence: str) -> bool:
    """Whether a sentence of a label tells what its product may do to people (`_ADVERSE_SECTION`,
    `_HARM_SAID`): read for a question that names another product and asks no harm, cause or
    interaction, it is that product's side effect, not an answer ("How to diagnose Anemia?" is not
    answered by "Hemic and Lymphatic Systems: infrequent: anemia, leukopenia, ...")."""
    return bool(_ADVERSE_SECTION.search(hit.chunk.section) or _HARM_SAID.search(sentence))


def studies_the_other_drug(hit: Hit, intents: Sequence[str], q_terms: set[str]) -> bool:
    """Whether a passage is another drug's label (its title does not name the focus) read for a
    question that asks no interaction and does not name that drug: what it measures of the focus
    (`PK_MEASURE`) comes from an interaction study, not how the focus is used."""
    return "interactions" not in intents and another_products_label(hit, q_terms)


# What animals or cells did: evidence for a mechanism, not for how a patient is treated or fares
# ("Mice received an antibiotic cocktail ...", "treatment of cervical cancer cells with a ... sirtuin
# inhibitor impairs cell proliferation", a label's "teratogenicity studies in mice and rats").
_PRECLINICAL = re.compile(
    r"\b(?:mice|mouse|rats?|murine|rodents?|rabbits?|dogs|monkeys?|zebrafish|xenografts?|in vitro|"
    r"cell lines?|cultured cells|(?:cancer|tumou?r) cells)\b",
    re.I,
)
# A question that asks about animals, cells, pregnancy (a label's animal reproduction studies are its
# evidence there) or how something works keeps them at full weight.
_ASKS_PRECLINICAL = re.compile(
    rf"{_PRECLINICAL.pattern}|\b(?:dog|cat|horse|pet|animals?|cells?|pregnan\w*|breast.?feed\w*|nursing|"
    r"birth defects?|mechanism|pathway|gene|genes|protein|receptor|expression)\b",
    re.I,
)
# The share of its score a preclinical sentence keeps when the question is about patients.
PRECLINICAL_WEIGHT = 0.5
_PATIENT_INTENTS = frozenset(
    {"treatment", "dosing", "side effects", "diagnosis", "prevention", "symptoms", "appearance",
     "ingredients", "stopping", "storage", "timing", "pronunciation", "splitting", "strengths", "class",
     "indication", "elimination"}
)  # fmt: skip


def asks_about_patients(question: str, intents: Sequence[str], what_is: bool = False) -> bool:
    """Whether a question asks how patients are treated, dosed or harmed, or what a medicine or a
    condition is (`_PATIENT_INTENTS`), and nothing of animals, cells, pregnancy or mechanisms: its
    preclinical sentences (`_PRECLINICAL`) rank below the clinical ones."""
    return (what_is or bool(_PATIENT_INTENTS & set(intents))) and not _ASKS_PRECLINICAL.search(question)


def score_sentences(
    question: str,
    hits: Sequence[Hit],
    audience: str,
    limits: ComposeLimits,
    min_relative_score: float,
    max_words: int = _PATIENT_MAX_WORDS,
    max_grade: float | None = None,
    focus: Sequence[frozenset[str]] = (),
    asked: Sequence[frozenset[str]] = (),
) -> list[Candidate]:
    """Candidate sentences from on-topic passages with their relevance scores, best first; those
    scoring under `min_relative_score` times the best are dropped, and for a patient those reading
    above `max_grade` (Flesch-Kincaid, as shown to the reader) when one is given. With `focus` (the
    names of the drug or condition the question is about, `qa.safety.focus_names`) a sentence must
    name it, come from a passage whose title does (a label, a page about it) or continue a sentence
    that names it with specifics of what was asked (issue 17: every sentence about the focus). With
    `asked` (`asked_markers`) a sentence must have a word of one of its sets: it says what was asked."""
    q_terms = set(content_terms(question))
    topic = q_terms - _INTENT_WORDS or q_terms
    markers: set[str] = set()
    intents = question_intents(question)
    for name in intents:
        markers |= INTENT_MARKERS[name]
    drug_intent = bool({"treatment", "dosing", "side effects"} & set(intents))
    treatment_intent = "treatment" in intents
    what_is = (not intents and asks_what_it_is(question)) or "class" in intents
    about_patients = asks_about_patients(question, intents, what_is)
    defining = asks_to_define(question)
    harm_asked = bool(_HARM_INTENTS & set(intents))
    kinds = _kinds(question)
    out: list[Candidate] = []
    for hit in hits[: limits.hits_per_tier]:
        passage_terms = term_set(f"{hit.chunk.title} {hit.chunk.section} {hit.chunk.text}")
        on_topic = len(topic & passage_terms) / len(topic) if topic else 0.0
        if topic and on_topic == 0.0:
            continue  # a passage that never names the topic is not evidence about it
        if kinds and names_another_kind(hit.chunk.title, kinds):
            continue  # a page on vitamin D does not answer for vitamin A
        rank_weight = section_weight(hit, intents) / (1.0 + 0.15 * (hit.rank - 1))
        titled = bool(focus) and names_focus(term_set(hit.chunk.title), focus)  # a label or page about it
        # another drug's label measures the focus only as the other drug of an interaction study
        study_of_other = bool(focus) and not titled and studies_the_other_drug(hit, intents, q_terms)
        other_product = another_products_label(hit, q_terms)
        section_says = section_speaks(hit, intents)  # each sentence of it says what was asked
        about_focus = not focus or titled
        previous_on_topic = previous_on_focus = other_kind = False
        # a Highlights list of indications is read with its pointers: they mark where each item ends
        text = (
            without_section_pointers(hit.chunk.text) if hit.chunk.tier is Tier.DRUG_LABEL else hit.chunk.text
        )
        listed = indication_list_sentences(hit.chunk.text)
        running = split_sentences(text)
        previous: str | None = None  # the sentence before, as shown, while sentences run on
        for i, sentence in enumerate((*running, *list_item_sentences(text), *listed)):
            antecedent, previous = (previous if i < len(running) else None), None
            sentence = sentence.lstrip("-•* ").strip()
            # the section title a sentence is cut from still says what it is about ("CONTRAINDICATIONS
            # Tegretol should not be used ...": a contraindication, though the sentence shown lacks the word)
            bare_title = _BARE_SECTION_TITLE.match(sentence) if hit.chunk.tier is Tier.DRUG_LABEL else None
            if hit.chunk.tier is Tier.DRUG_LABEL:
                cut = without_label_heading(without_section_title(sentence, hit.chunk.section))
                if cut is not None:
                    # the section's own title may follow the numbered heading: "16 HOW SUPPLIED/STORAGE
                    # AND HANDLING How Supplied Amphetamine extended-release oral suspension has ..."
                    cut = without_product_codes(without_section_title(cut, hit.chunk.section))
                if cut is None:
                    continue
                sentence = after_formula_caption(_ITEM_NUMBER.sub("", without_label_subheading(cut)))
            elif hit.chunk.tier is Tier.RESEARCH:
                sentence = without_leading_label(sentence)
            else:  # guidelines and patient pages
                sentence = _NOTE_LABEL.sub("", sentence)
            sentence = expand_abbreviations(sentence, hit.chunk.text)
            sentence = list_lead_in(without_figure_asides(without_reference_marks(sentence)))
            # after the asides: "Drug Interactions [see Warnings and Precautions (5.6)] Tell the patient ..."
            sentence = without_run_in_heading(sentence)
            previous = sentence
            if antecedent is not None and points_back_to(sentence, antecedent, limits):
                # "Most of these effects are thought to result from ..." is shown after the sentence
                # that names the effects, as one statement: alone it points at nothing
                sentence = f"{antecedent} {sentence}"
            terms = term_set(sentence) | (term_set(bare_title.group()) if bare_title else frozenset())
            follows_topic, previous_on_topic = previous_on_topic, bool(topic & terms)
            on_focus = about_focus or names_focus(terms, focus)
            follows_focus, previous_on_focus = previous_on_focus, on_focus
            named = _kinds(sentence) if kinds else {}
            if named:  # a sentence naming no kind goes on about the last one named
                other_kind = _another_kind(named, kinds)
            if not _usable(sentence, limits):
                continue
            if asked and not any(says_asked(m, terms, sentence) for m in asked):
                continue  # "what color is phenytoin": its clearance in children does not say it
            if other_kind:
                continue  # vitamin D's sentence, or one that goes on about it ("It helps the body ...")
            if other_product and EXCIPIENTS.search(sentence):
                continue  # another product's fillers ("Inactive ingredients: ... docusate sodium")
            if other_product and not harm_asked and names_the_others_harm(hit, sentence):
                continue  # another product's side effect ("hemolytic anemia can happen ... ALECENSA")
            overlap = len(q_terms & terms) / len(q_terms) if q_terms else 0.0
            # naming a drug answers a treatment or dosing question even without the word "treatment"
            intent = 1.0 if markers & terms or (drug_intent and _DRUG.search(sentence)) else 0.0
            if section_says:
                intent = 1.0  # "Four of 130 patients ... had increased CK": a label's adverse reaction
            if what_is and defines(sentence, topic):
                intent = 1.0  # "What is COPD?": "COPD is a lung disease that ..." says it
            if overlap == 0.0 and intent == 0.0:
                continue
            spec = specificity(sentence)
            measure = treatment_intent and _MEASURE.search(sentence) is not None
            if (
                topic
                and not topic & terms
                and not titled
                and not (follows_topic and intent and (spec or measure))
            ):
                # a sentence that does not name the topic counts only when it continues one that
                # does and gives specifics of what was asked ("Prednisone 1 mg/kg/day is ...",
                # "Physical therapy is usually recommended ...")
                continue
            # ... and in another drug's label a sentence that does not name the focus is about that drug
            # ("how to apply clonidine patch": Coreg's "the dose of cyclosporine had to be reduced")
            continues_focus = follows_focus and hit.chunk.tier is not Tier.DRUG_LABEL
            if not on_focus and not (continues_focus and intent and (spec or measure)):
                continue  # about something else the passage also names ("300mg" of another drug)
            if study_of_other and said_of_the_other_drug(hit, sentence):
                continue  # Depakene's "valproate (500 mg BID) and lorazepam (1 mg BID) ... clearance"
            score = 0.35 * overlap + 0.25 * intent + 0.25 * on_topic
            if about_patients and _PRECLINICAL.search(sentence):
                score *= PRECLINICAL_WEIGHT  # what mice or cells did is not how a patient fares
            if markers and not intent:
                # the question asks for something (treatment, dosing, ...): sentences that do not
                # speak to it (classification, epidemiology) rank well below those that do
                score *= 0.4
            relevance = None
            if audience == "patient":
                score -= 0.2 if _STATS.search(sentence) else 0.0
                relevance = round(score * rank_weight, 6)
                # prefer sentences a lay reader can follow: each grade above 8 costs a little, graded
                # as the reader will see the sentence (plain words, long sentences split)
                grade = _patient_grade(sentence, max_words)
                if max_grade is not None and grade > max_grade:
                    continue
                score -= READING_COST * max(0.0, grade - 8.0)
            else:
                score += 0.15 * spec
            # "What is COPD?" is spoken to by a sentence that says what COPD is
            speaks = defines(sentence, topic) if defining else not markers or bool(intent)
            out.append(Candidate(sentence, hit, round(score * rank_weight, 6), relevance, speaks))
    out.sort(key=lambda c: (-c.score, c.hit.rank, c.sentence))
    if out:
        # filler is worse than a short answer: keep sentences at least a third as relevant as the best
        floor = min_relative_score * max(_relevance(c) for c in out)
        out = [c for c in out if _relevance(c) >= floor]
    return out


@lru_cache(maxsize=8192)
def _patient_grade(sentence: str, max_words: int) -> float:
    """A candidate's grade as a patient reads it; cached, because a patient's answer is composed at up
    to three reading grades (`patient_grades`) and each pass scores the same sentences again."""
    return reading_grade(patient_view(sentence, max_words))


def points_back_to(sentence: str, antecedent: str, limits: ComposeLimits) -> bool:
    """Whether `sentence` points back (`_POINTS_BACK`: "These effects ...", "They include ...") at the
    `antecedent` before it in its passage, and the two fit in one statement (`_usable` as one)."""
    return (
        _POINTS_BACK.match(_without_connective(sentence)) is not None
        and _POINTS_BACK.match(_without_connective(antecedent)) is None
        and _usable(antecedent, limits)
        and _usable(f"{antecedent} {sentence}", limits)
    )


def _relevance(c: Candidate) -> float:
    return c.score if c.relevance is None else c.relevance


def fact_keys(sentence: str) -> frozenset[str]:
    """The distinct facts a sentence states, as keys: the drugs and drug classes it names, its doses
    and the non-drug measures (physical therapy, exercise, diet ...)."""
    keys = {f"drug:{m.lower().rstrip('s')}" for m in _DRUG.findall(sentence)}
    keys |= {"dose:" + "".join(m.lower().split()) for m in _DOSE.findall(sentence)}
    keys |= {f"measure:{m.lower()[:8]}" for m in _MEASURE.findall(sentence)}
    return frozenset(keys)


def select(
    candidates: Sequence[Candidate],
    limits: ComposeLimits,
    merge_ratio: float,
    novelty_bonus: float = 0.0,
    repeat_weight: float = 1.0,
) -> list[tuple[str, list[Hit], float]]:
    """Greedy pick of the best sentences for coverage: each step takes the candidate with the best
    score after weighing its facts against those already chosen (`fact_keys`: new facts gain
    `novelty_bonus`, only-repeated facts keep `repeat_weight`), merging near-duplicates (rapidfuzz
    token_set_ratio at or above `merge_ratio`) into one multi-cited sentence.  A passage gives at
    most `sentences_per_passage` sentences unless a further one states a fact not yet covered."""
    chosen: list[tuple[str, list[Hit], float]] = []
    per_passage: dict[str, int] = {}
    covered: set[str] = set()
    pool = [(c, fact_keys(c.sentence)) for c in candidates]

    def weighed(item: tuple[Candidate, frozenset[str]]) -> float:
        cand, keys = item
        if not keys:
            return cand.score
        return cand.score * ((1.0 + novelty_bonus) if keys - covered else repeat_weight)

    while pool:
        best = max(range(len(pool)), key=lambda i: (weighed(pool[i]), -i))  # ties: the earlier
        cand, keys = pool.pop(best)
        dup = next((c for c in chosen if fuzz.token_set_ratio(c[0], cand.sentence) >= merge_ratio), None)
        if dup is not None:
            if all(h.chunk_id != cand.hit.chunk_id for h in dup[1]):
                dup[1].append(cand.hit)
            continue
        if len(chosen) >= limits.bullets_per_tier + 1:
            continue
        if per_passage.get(cand.hit.chunk_id, 0) >= limits.sentences_per_passage and not keys - covered:
            continue  # a passage past its share still adds a fact the answer lacks (a drug, a measure)
        per_passage[cand.hit.chunk_id] = per_passage.get(cand.hit.chunk_id, 0) + 1
        chosen.append((cand.sentence, [cand.hit], cand.score))
        covered |= keys
    return chosen


def _org(publisher: str) -> str:
    """'American Academy of Neurology - Medical Specialty Society' -> 'American Academy of Neurology';
    without a leading 'The' ('The Endocrine Society'), which the sentence around the name supplies."""
    first = re.split(r"\s+-\s+|;|\|", publisher.strip("[]'\" "))[0]
    return re.sub(r"^The\s+", "", first.strip("[]'\" "))


def attribution(hit: Hit, audience: str = "clinician") -> str:
    """The lead's opening naming the source, its year and its kind ('According to the 2016 ...').
    Patients get a shorter plain form ('A 2016 study found that'); the reference keeps the detail."""
    c = hit.chunk
    year = f"{c.year} " if c.year else ""
    if audience == "patient":
        # short and plain: a name without its acronym or document kind ("MedlinePlus (NLM)",
        # "Orapred prescribing information"), which the reference still shows
        if c.tier is Tier.GUIDELINE:
            org = _plain_name(_org(c.publisher)) or c.collection.upper()
            if len(org.split()) > LAY_NAME_WORDS:  # the reference names it; the sentence stays short
                return f"A {year}guideline says that"
            # "the Cystic Fibrosis Foundation", but "ConvaTec" and "NICE"
            the = "the " if len(org.split()) > 1 else ""
            return f"A {year}guideline from {the}{org} says that"
        if c.tier is Tier.DRUG_LABEL:
            return f"The FDA label for {lay_product(c.title)} says that"
        if c.tier is Tier.RESEARCH:
            return (
                f"A {year}study found that"
                if not year.startswith(("8", "11", "18"))
                else f"An {year}study found that"
            )
        return f"{lay_source(c.publisher) or c.collection} says that"
    if c.tier is Tier.GUIDELINE:
        org = _org(c.publisher) or c.collection.upper()
        kind = "recommendation" if c.collection.lower() == "uspstf" else "guideline"
        grade = c.meta.get("grade")
        graded = f" (grade {grade})" if grade else ""
        return f"According to the {year}{org} {kind}{graded},"
    if c.tier is Tier.DRUG_LABEL:
        section = f" ({c.section})" if c.section else ""
        return f"According to the FDA label for {product_name(c.title)}{section},"
    if c.tier is Tier.RESEARCH:
        phrase = f"{year}{design_phrase(study_design_for(c))}"
        article = "an" if phrase[:1].lower() in "aeiou" or phrase.startswith(("8", "11", "18")) else "a"
        # "in PubMed" names the index, not the journal; only a real journal is worth naming.
        journal = f" in {c.publisher}" if c.publisher and c.publisher.lower() not in _INDEXES else ""
        return f"According to {article} {phrase}{journal},"
    return f"According to {c.publisher or c.collection},"


_INDEXES = {"pubmed", "medline", "pubmed/medline", "bioasq", "pubmedqa"}
_NAME_EXTRAS = re.compile(
    r"\s*\([^()]*\)|\s+(?:full\s+)?prescribing information\b.*$|\s+(?:drug\s+)?label\b.*$", re.I
)


# What follows a label's product name in an SPL title: ", USP", strengths, "Rx only".
_STRENGTHS = re.compile(r",?\s+(?:USP\b|Rx only\b|\d).*$", re.I)


def product_name(title: str) -> str:
    """'PredniSONE Tablets, USP 1 mg, 2.5 mg, ... Rx only' -> 'PredniSONE Tablets' (the reference keeps
    the full title): strengths in a lead read as doses the passage never gave."""
    return _STRENGTHS.sub("", title).strip() or title


# A source's name in a patient's sentence is at most this many words: a long agency name is most of
# what makes a short sentence hard to read (Flesch-Kincaid counts its words and syllables).
LAY_NAME_WORDS = 4
# Long names of U.S. health agencies as a lay reader knows them.
_AGENCIES = (
    (re.compile(r"^National (?:Institutes?|Cancer|Heart|Eye|Library)\b"), "The NIH"),
    (re.compile(r"^Centers for Disease Control"), "The CDC"),
)
_ACRONYM = re.compile(r"\(([A-Z]{2,6})\)")


# Dosage-form words after a label's drug name ('... extended-release tablets for oral use').
_DOSAGE_FORM = re.compile(
    r"\s+(?:extended-release|delayed-release|controlled-release|orally disintegrating|tablets?|capsules?|"
    r"injection|injectable|for oral use|oral|solution|suspension|cream|ointment|gel|patch|powder|kit)\b.*$",
    re.I,
)


def lay_product(title: str) -> str:
    """A label's product as a patient reads it: 'METOPROLOL SUCCINATE extended-release tablets for oral
    use' -> 'Metoprolol Succinate', 'PredniSONE Tablets, USP 1 mg ...' -> 'PredniSONE'."""
    name = _plain_name(product_name(title)) or title
    name = _DOSAGE_FORM.sub("", name).strip() or name
    # the form's own preposition left behind: 'AMOXICILLIN and CLAVULANATE POTASSIUM for (oral suspension)'
    name = re.sub(r"(?:\s+(?:for|and|with|of|in))+$", "", name, flags=re.I) or name
    if name.isupper() and len(name) > 4:
        name = re.sub(r"\b(And|Of|For|With)\b", lambda m: m.group(1).lower(), name.title())
    return name


def lay_source(publisher: str) -> str:
    """A patient-page publisher as a short name: 'MedlinePlus', 'GARD' (for 'Genetic and Rare Diseases
    Information Center (GARD)'), 'The NIH' (for any National Institute of ...), 'The CDC'."""
    plain = _plain_name(publisher) or publisher.strip()
    if len(plain.split()) <= LAY_NAME_WORDS:
        return plain
    acronym = _ACRONYM.search(publisher)
    if acronym:
        return acronym.group(1)
    return next((name for pattern, name in _AGENCIES if pattern.search(plain)), plain)


def _plain_name(name: str) -> str:
    """A source's name for a lay reader: without a bracketed acronym or a document-kind suffix."""
    return _NAME_EXTRAS.sub("", name).strip()


# Text before a word that starts a sentence, a line or a list item.
_STARTS_SENTENCE = re.compile(r"(?:^|[.!?:;•*|]\s*|\n\s*(?:-\s*)?|\s-\s+)$")


def _lowercase_first(sentence: str, passage: str, product: str = "") -> str:
    """Lower-case the first word after the attribution unless it is an acronym or a proper noun,
    i.e. the passage also capitalises it in mid-sentence ('Lipitor', 'American') and never writes it in
    lower case ('Because' after a heading is still 'because'), or it is part of the label's product
    name ('Lexapro' of 'Lexapro (escitalopram)', whose label writes 'LEXAPRO')."""
    word = sentence.split(" ", 1)[0]
    if word == "A":  # the article ("According to GARD, a new patch ..."); 'A' alone names nothing
        return "a" + sentence[1:]
    if not word[:1].isupper() or not word[1:].islower():
        return sentence
    if word.lower() in _NEVER_PROPER:
        return word.lower() + sentence[len(word) :]
    if word in re.findall(r"[\w-]+", product):
        return sentence
    if re.search(rf"\b{re.escape(word.lower())}\b", passage):
        return word.lower() + sentence[len(word) :]  # a name is never written in lower case
    for m in re.finditer(rf"\b{re.escape(word)}\b", passage):
        if not _STARTS_SENTENCE.search(passage[: m.start()]):
            return sentence
    return word.lower() + sentence[len(word) :]


# Words that open a sentence imperatively in labels and patient pages ("Avoid ...", "Take ...
# with food"): after "says" they read as "says to avoid ...". Nouns that also start sentences
# ("Use of ...", "Exercise helps ...") are left out or caught by the word after them.
# fmt: off
_IMPERATIVES = frozenset({
    "administer", "advise", "apply", "ask", "assess", "avoid", "be", "call", "check", "consider",
    "contact", "continue", "counsel", "discontinue", "drink", "eat", "evaluate", "follow", "get",
    "give", "inform", "instruct", "keep", "limit", "measure", "monitor", "obtain", "reduce", "seek",
    "review", "start", "stop", "store", "swallow", "take", "talk", "taper", "tell", "titrate", "use", "wash",
    "wear", "withdraw",
})
# fmt: on
_NEGATIVE_IMPERATIVE = re.compile(r"^(?:do not|don't|don’t)\s+", re.I)
# Pronouns and determiners never name anything: lower-cased after an attribution even when the
# passage happens to capitalise them after a heading or a bracket.
# fmt: off
_NEVER_PROPER = frozenset({
    "the", "a", "an", "this", "these", "those", "that", "it", "its", "in", "for", "when", "if", "some",
    "most", "many", "all", "each", "any", "there", "you", "your", "people", "patients", "adults",
    "children",
    # conjunctions and prepositions that open a clause ("says that because duloxetine is ...")
    "because", "although", "though", "since", "while", "whereas", "unless", "until", "after", "before",
    "during", "with", "without", "as", "at", "by", "from", "of", "on", "to", "once", "upon", "among",
    # participles that open one ("... guideline, based on the highly prevalent use of simvastatin")
    "based", "given", "following", "including", "compared", "depending", "despite", "regardless",
})
# fmt: on


# "But" and "And" are conjunctions wherever they open a sentence; the others only with their comma
# ("So far ...", "Also called ..." and "Still births ..." stay as they are).
_CONNECTIVE = re.compile(
    r"^(?:(?:but|and),?\s+|(?:however|also|so|yet|thus|therefore|moreover|furthermore|in addition|"
    r"additionally|still|conversely|similarly|likewise|nevertheless|nonetheless|hence|consequently|"
    r"accordingly),\s*)(?=\w)",
    re.I,
)


def _without_connective(sentence: str) -> str:
    """'However, not all males ...' -> 'Not all males ...' (a sentence shown apart from the one it
    followed: a lead, a bullet)."""
    m = _CONNECTIVE.match(sentence)
    if not m or len(sentence[m.end() :].split()) < 4:
        return sentence
    rest = sentence[m.end() :]
    return rest[:1].upper() + rest[1:]


# Note and summary labels of guidelines and patient pages ("Note: In this guideline ...", "Remarks: ...",
# "Recommendation 4: We suggest ...", MedlinePlus's "Summary: Flu is ..."): layout, not what they say.
# ... and a list item's number before its sentence ("5. It may be harmful to initiate simvastatin at
# 80 mg daily ...": shown after "says that", it read "says that 5. It may be ...").
_NOTE_LABEL = re.compile(
    r"^(?:(?i:notes?|summary|remarks?|recommendation \d+[a-z]?)\s*:\s+(?=[A-Za-z])|"
    r"\(?\d{1,2}[.)]\s+(?=[A-Z][a-z])|"
    # ... or a footnote's number glued to it ("7Use caution when using gabapentin ...")
    r"\d{1,2}(?=[A-Z][a-z]+\s))"
)
# A label list item's number before its sentence ("3. PLAGUE: 2 grams of streptomycin daily ...", shown
# as "says that 3. PLAGUE: ..."); a section number ("2.1 Dosage") has no space after its point.
_ITEM_NUMBER = re.compile(r"^\(?\d{1,2}[.)]\s+(?=[A-Z])")
# A guideline's recommendation grade opening its sentence ("A: If warfarin is indicated ...", "B - ..."),
# or its mark of a recommendation resting on the group's experience ("GCP: The GDG suggests ...", "GPP:").
_GRADE_LABEL = re.compile(r"^([A-D]|GCP|GPP)\s*(?::|\s-|\s–)\s+(?=[A-Z])")
_PRACTICE_POINTS = {"GCP": "good clinical practice", "GPP": "good practice point"}


def _grade_note(grade: str) -> str:
    return _PRACTICE_POINTS.get(grade, f"grade {grade}")


def graded_at_end(sentence: str) -> str:
    """A guideline sentence that opens with its recommendation grade, with the grade at its end
    instead: 'D: Specialist referral should be considered.' -> 'Specialist referral should be
    considered (grade D).', 'GPP: Only ... should be used.' -> 'Only ... should be used (good practice
    point).'"""
    graded = _GRADE_LABEL.match(sentence)
    if not graded:
        return sentence
    rest = sentence[graded.end() :].rstrip()
    body, stop = (rest[:-1], rest[-1]) if rest[-1:] in (".", "!") else (rest, ".")
    return f"{body} ({_grade_note(graded.group(1))}){stop}"


def with_grade(opening: str, grade: str) -> str:
    """The lead's opening with the recommendation grade its sentence began with: 'According to the
    2014 AAN guideline (grade A),', 'A 2014 guideline (grade A) says that'; unchanged when it has one."""
    if "(grade " in opening or any(f"({note})" in opening for note in _PRACTICE_POINTS.values()):
        return opening
    at = opening.find(" says ") if " says " in opening else len(opening.rstrip(","))
    return f"{opening[:at]} ({_grade_note(grade)}){opening[at:]}"


def attributed(opening: str, sentence: str, passage: str, product: str = "") -> str:
    """The lead: the source's opening joined to the sentence so that it reads as one sentence.
    "says that" before an imperative becomes "says to avoid ..." ("says not to take ..."); only the
    sentence's opening word changes (its case, or "Do not"), never a drug name, number or unit."""
    if opening.endswith(" says that"):
        negative = _NEGATIVE_IMPERATIVE.match(sentence)
        if negative:
            return f"{opening[: -len(' that')]} not to {sentence[negative.end() :]}"
        first, _, rest = sentence.partition(" ")
        imperative = first.lower() in _IMPERATIVES and not rest.lower().startswith("of ")
        # an adverb before the imperative: "Gradually withdraw ..." -> "says to gradually withdraw ..."
        adverb = first[1:].islower() and first.endswith("ly") and rest.split(" ", 1)[0] in _IMPERATIVES
        if first[:1].isupper() and (imperative or adverb):
            return f"{opening[: -len(' that')]} to {first.lower()} {rest}".rstrip()
    return f"{opening} {_lowercase_first(sentence, passage, product)}"


# A sentence that opens by pointing back at the one before it in its passage ("They include strong
# prescription pain relievers ...", "These were small, underpowered studies ...", "Such as albendazole
# ..."): as an answer's first statement it points at nothing. "This study ..." names what it means.
_POINTS_BACK = re.compile(
    r"^(?:(?:most|some|all|many|each|none|one|either|neither) of )?(?:these|those|they|such|the latter|"
    r"the former|this (?!(?:study|trial|review|guideline|article|analysis|meta-analysis|report|paper|"
    r"survey|document|recommendation|statement|systematic)\b))\b",
    re.I,
)


# How far below the best pick (a share of its score) a sentence may score and still lead when every pick
# within 20% of it points back at a sentence not shown: down to 60% of the best.
LEAD_STANDS_ALONE_SHARE = 0.4


def lead_source(chosen: Sequence[tuple[str, list[Hit], float]]) -> int:
    """Index of the lead pick: among the clearly relevant picks (score within 80% of the best), one that
    does not point back at a sentence not shown (`_POINTS_BACK`), then the one whose source is strongest
    (evidence level), then most recent, then most relevant. When every clearly relevant pick points
    back, one within `LEAD_STANDS_ALONE_SHARE` of the best that does not leads."""
    best = max(score for _, _, score in chosen)

    def within(share: float) -> list[int]:
        # (a patient's readability cost can leave every score below zero: the share is then measured down)
        return [i for i, (_, _, score) in enumerate(chosen) if score >= best - share * abs(best)]

    def points_back(i: int) -> bool:
        return _POINTS_BACK.match(_without_connective(chosen[i][0])) is not None

    def key(i: int) -> tuple[bool, int, str, int]:
        hit = chosen[i][1][0]
        return (points_back(i), evidence_rank(hit.chunk), _newest_first(recency(hit.chunk)), i)

    relevant = within(0.2)
    if all(points_back(i) for i in relevant):
        # "These included 3 cases of cardiac arrest ..." cannot open the answer: a pick half as relevant
        # that stands on its own leads instead, the other follows it
        relevant = [i for i in within(LEAD_STANDS_ALONE_SHARE) if not points_back(i)] or relevant
    return min(relevant, key=key)


def _newest_first(date: str) -> str:
    return "".join(chr(255 - ord(c)) for c in date) if date else "\xff"


def compose_tier(
    question: str,
    tier: Tier,
    hits: Sequence[Hit],
    audience: str,
    composer: ComposerSettings,
    *,
    max_grade: float | None = None,
    first_section: bool = True,
    focus: Sequence[frozenset[str]] = (),
    asked: Sequence[frozenset[str]] = (),
    candidates: Sequence[Candidate] | None = None,
) -> list[Draft]:
    """Lead plus grouped bullets for one tier (empty when nothing in the tier supports an answer);
    a patient gets only sentences that read at or below `max_grade` when one is given, and a lead
    naming its source only in the answer's first section (a label's always names its product);
    `focus` and `asked` as in `score_sentences`; `candidates`, a clinician's already scored
    (`_clinician_candidates`), are not scored again."""
    limits = composer.clinician
    if audience == "patient":
        limits = composer.patient if tier is Tier.PATIENT_INFO else composer.patient_other_tier
    else:
        max_grade = None
    if candidates is None:
        candidates = score_sentences(
            question,
            hits,
            audience,
            limits,
            composer.min_relative_score,
            composer.patient_max_words,
            max_grade,
            focus,
            asked,
        )
    chosen = select(candidates, limits, composer.merge_ratio, composer.novelty_bonus, composer.repeat_weight)
    if not chosen:
        return []
    li = lead_source(chosen)
    sentence, lead_hits, score = chosen[li]
    sentence = _without_connective(sentence)  # a lead follows nothing: "However, ..." has no antecedent
    first = lead_hits[0].chunk
    product = first.title if first.tier is Tier.DRUG_LABEL else ""
    if audience == "patient" and not first_section and first.tier is not Tier.DRUG_LABEL:
        # a patient's later sections say their source once, in the heading and the reference: an
        # agency's name before every sentence is what makes short sentences hard to read
        lead_text = graded_at_end(sentence) if first.tier is Tier.GUIDELINE else sentence
    else:
        opening, shown = attribution(lead_hits[0], audience), sentence
        graded = _GRADE_LABEL.match(sentence) if first.tier is Tier.GUIDELINE else None
        if graded:  # "A 2014 guideline (grade A) says that the use of ...", not "says that A: The use"
            opening, shown = with_grade(opening, graded.group(1)), sentence[graded.end() :]
        lead_text = attributed(opening, shown, first.text, product)
    lead = Draft(tier, lead_text, tuple(h.chunk_id for h in lead_hits), "", score, True, core=sentence)
    # a bullet stands apart from the sentence it followed in its passage: "But people who took
    # metformin also benefited" has no antecedent either
    shown_as = graded_at_end if tier is Tier.GUIDELINE else str
    bullets = [
        Draft(tier, shown_as(b), tuple(h.chunk_id for h in hs), group_for(b), sc, False, core=b)
        for i, (s, hs, sc) in enumerate(chosen)
        if i != li
        for b in (_without_connective(s),)
    ]
    bullets.sort(key=lambda d: (GROUP_ORDER.index(d.group), -d.score))
    return [lead, *bullets]


def add_tier(drafts: Sequence[Draft], new: Sequence[Draft], merge_ratio: float) -> list[Draft]:
    """Append one tier's drafts, dropping sentences already shown in an earlier tier (rapidfuzz
    token_set_ratio at or above `merge_ratio`); if the tier's lead was such a repeat, its first
    remaining bullet becomes the lead."""
    kept = [
        d
        for d in new
        if not any(fuzz.token_set_ratio(o.checked_text, d.checked_text) >= merge_ratio for o in drafts)
    ]
    if kept and not any(d.is_lead for d in kept):
        kept[0] = replace(kept[0], is_lead=True, group="")
    return [*drafts, *kept]


def word_count(draft: Draft) -> int:
    return len(draft.text.split())


def within_budget(new: Sequence[Draft], words_left: int, *, first: bool = False) -> list[Draft]:
    """One tier's drafts cut to the words the answer has left: the section is shown only when its lead
    fits (the answer's first lead always is), then its bullets, best score first, while they fit,
    kept in their display order."""
    leads = [d for d in new if d.is_lead]
    left = words_left - sum(word_count(d) for d in leads)
    if left < 0 and not first:
        return []
    keep: set[int] = set()
    for i in sorted((i for i, d in enumerate(new) if not d.is_lead), key=lambda i: -new[i].score):
        if word_count(new[i]) <= left:
            keep.add(i)
            left -= word_count(new[i])
    return [d for i, d in enumerate(new) if d.is_lead or i in keep]


def patient_grades(composer: ComposerSettings) -> tuple[float | None, ...]:
    """The reading grades a patient's answer is tried at, plainest first: `patient_max_grade`, four
    grades above it, then any (an answer in hard words is better than none); (None,) when off."""
    cap = composer.patient_max_grade
    return (cap, cap + 4.0, None) if cap > 0 else (None,)


# One try at composing an answer: the sentences must say what was asked (`asked_markers`), or () for
# any; and a patient's reading grade (`patient_grades`).
Attempt = tuple[tuple[frozenset[str], ...], float | None]


def compose_attempts(question: str, composer: ComposerSettings, audience: str) -> list[Attempt]:
    """The tries an answer is composed at, in order, until one makes an answer: when the question asks
    how a medicine looks, what it contains, how to store, time or stop it, first only the sentences
    that say that (a patient's at each reading grade), then any sentence about the question."""
    grades = patient_grades(composer) if audience == "patient" else (None,)
    asked = asked_markers(question)
    return [(a, grade) for a in ((asked, ()) if asked else ((),)) for grade in grades]


def max_words(composer: ComposerSettings, audience: str) -> int:
    return composer.patient_answer_words if audience == "patient" else composer.clinician_answer_words


# What the engine does to one tier's drafts before they join the answer (plain language, support
# check), given the drafts shown so far.
Finish = Callable[[list[Draft], list[Draft]], list[Draft]]


def compose(
    question: str,
    tier_hits: Mapping[Tier, Sequence[Hit]],
    composer: ComposerSettings,
    audience: str = "clinician",
) -> list[Draft]:
    """Drafts for every tier with support, in display order, at the first of `compose_attempts` that
    makes an answer (as the engine composes)."""
    for asked, grade in compose_attempts(question, composer, audience):
        sections = list(compose_sections(question, tier_hits, composer, audience, grade, asked=asked))
        if sections:
            return sections[-1]
    return []


# What a question may ask for a tier to be left out when it says none of it: of a condition, its
# symptoms, causes, diagnosis, prevention or treatment, and how a medicine works or what harm it does.
# A medicine's dose, use, class or look is not among them: what the other tiers say of the medicine
# (what it is for) still belongs to the answer (MedLFQA's must-have statements hold it).
SPEAKING_INTENTS = frozenset(
    {"symptoms", "cause", "diagnosis", "prevention", "treatment", "mechanism", "side effects"}
)


def tiers_that_speak(
    question: str,
    tier_hits: Mapping[Tier, Sequence[Hit]],
    composer: ComposerSettings,
    *,
    focus: Sequence[frozenset[str]] = (),
    asked: Sequence[frozenset[str]] = (),
) -> frozenset[Tier]:
    """The tiers with a sentence that speaks to what the question asks (`Candidate.speaks`: a word of
    one of its intents, `INTENT_MARKERS`). When some do, the others are left out of the answer: "What
    are the symptoms of Ovarian Cancer?" is not answered by guidelines on BRCA testing and a label's
    indications beside the page that lists the symptoms; "What is COPD?" (`asks_to_define`) is spoken
    to by a sentence that says what COPD is (`defines`), not by USPSTF's screening statement. Empty
    when the question asks something outside `SPEAKING_INTENTS` or nothing, or when no tier speaks to
    it: then every tier is composed.
    Only a clinician's answer is cut so: a patient's takes one sentence from each professional tier,
    and leaving tiers out lowered its cosine, must-have coverage and reading grade alike (stop 39)."""
    return _speaking(question, _clinician_candidates(question, tier_hits, composer, focus, asked))


def _clinician_candidates(
    question: str,
    tier_hits: Mapping[Tier, Sequence[Hit]],
    composer: ComposerSettings,
    focus: Sequence[frozenset[str]],
    asked: Sequence[frozenset[str]],
) -> dict[Tier, list[Candidate]]:
    """Each tier's candidate sentences as a clinician's answer scores them (`compose_tier`'s own call)."""
    return {
        tier: score_sentences(
            question,
            hits,
            "clinician",
            composer.clinician,
            composer.min_relative_score,
            focus=focus,
            asked=asked,
        )
        for tier, hits in tier_hits.items()
    }


def _speaking(question: str, candidates: Mapping[Tier, Sequence[Candidate]]) -> frozenset[Tier]:
    intents = question_intents(question)
    if not asks_to_define(question) and (not intents or not set(intents) <= SPEAKING_INTENTS):
        return frozenset()
    speaking = frozenset(tier for tier, found in candidates.items() if any(c.speaks for c in found))
    return speaking if speaking != frozenset(candidates) else frozenset()


def compose_sections(
    question: str,
    tier_hits: Mapping[Tier, Sequence[Hit]],
    composer: ComposerSettings,
    audience: str,
    max_grade: float | None = None,
    *,
    focus: Sequence[frozenset[str]] = (),
    asked: Sequence[frozenset[str]] = (),
    finish: Finish | None = None,
) -> Iterator[list[Draft]]:
    """The answer's drafts so far, after each tier that adds a section, in display order: each tier's
    drafts (`compose_tier`, then `finish` when given) cut to the words the answer has left
    (`within_budget`), repeats of earlier tiers dropped (`add_tier`)."""
    out: list[Draft] = []
    budget = max_words(composer, audience)
    # a clinician's candidates are scored once: for which tiers speak (`tiers_that_speak`) and to compose
    # them; a patient's answer takes one sentence from each professional tier: leaving one out buys no focus
    scored = (
        _clinician_candidates(question, tier_hits, composer, focus, asked) if audience == "clinician" else {}
    )
    speaking = _speaking(question, scored)
    for tier in tier_order(audience):
        if speaking and tier not in speaking:
            continue  # "What are the symptoms of Ovarian Cancer?": a tier that names no symptom
        hits = tier_hits.get(tier, ())
        new = compose_tier(
            question,
            tier,
            hits,
            audience,
            composer,
            max_grade=max_grade,
            first_section=not out,
            focus=focus,
            asked=asked,
            candidates=scored.get(tier),
        )
        if finish is not None:
            new = finish(new, out)
        left = budget - sum(word_count(d) for d in out)
        if not new or left <= 0:
            continue
        out = add_tier(out, within_budget(new, left, first=not out), composer.merge_ratio)
        yield out
