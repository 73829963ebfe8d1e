"""Question understanding (issue 16): filler removal, spelling against the corpus, brand/generic names,
and the rewrite carried on the Answer into `ask --json` and the web chat."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import Stemmer
from hypothesis import given, settings
from hypothesis import strategies as st
from qa_fakes import DERMATOMYOSITIS, MemoryRetriever, chunk

from corpus.readers import openfda, spl_xml
from index.catalog import Catalog
from medcite.settings import Settings
from medcite.types import Correction, Document, NameMapping, Section, Tier
from qa.conversation import Conversation
from qa.drug_names import build_drug_names, drug_names_from_records, generic_core
from qa.engine import AnswerEngine
from qa.expansion import build_lexicon
from qa.filler import strip_filler
from qa.render import answer_to_json
from qa.spelling import Speller, TermVocabulary, split_glued
from qa.textutil import tokens
from qa.understanding import QueryUnderstanding, rewrite_query
from review.codec import answer_from_dict, answer_to_dict
from ui.render_html import render_answer

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "corpus_small"
_STEM = Stemmer.Stemmer("english")

PASSAGES = [
    "Hemorrhoids are swollen veins in the anus and rectum. Anal fissures are small tears.",
    "Most hemorrhoids and anal fissures heal with fibre, fluids and sitz baths.",
    "Hemorrhoid symptoms include bleeding and itching; a hemorrhoid may thrombose.",
    "Scabies is treated with permethrin cream or oral ivermectin.",
    "Escitalopram is indicated for major depressive disorder and generalized anxiety disorder.",
    "Dermatomyositis treatment starts with corticosteroids; dermatomyositis affects muscle and skin.",
    "Treatment of dermatomyositis and treatment of polymyositis differ in monitoring.",
]


def stem(word: str) -> str:
    """A keyword-index-like analyser (Snowball English stems)."""
    return _STEM.stemWord(word.lower())


def corpus_vocabulary() -> TermVocabulary:
    return TermVocabulary.from_texts(PASSAGES, stem)


def speller(**kw: object) -> Speller:
    # No English word list: only the corpus protects a word here, so the property below tests that.
    return Speller(corpus_vocabulary(), min_df=1, real_words=frozenset(), **kw)  # type: ignore[arg-type]


# --- filler ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Alright so I dont know much about Lexapro would you tell me more about it?", "Lexapro?"),
        (
            "Also what is the oral option to get rid of scabies?",
            "What is the oral option to treat scabies?",
        ),
        ("How do I get rid of head lice fast", "How do I treat head lice fast"),
        ("Hi, any thoughts on metformin for PCOS? Thanks!", "Metformin for PCOS?"),
        ("Can you please tell me about the side effects of prednisone", "The side effects of prednisone"),
        ("What is the treatment for dermatomyositis?", "What is the treatment for dermatomyositis?"),
        ("thanks!", "thanks!"),  # nothing of substance would be left: kept as typed
    ],
)
def test_filler_removed(question: str, expected: str) -> None:
    assert strip_filler(question) == expected


@pytest.mark.parametrize(
    "question",
    [
        "Is it safe to take ibuprofen as well as aspirin so that my pain goes away?",
        "So far the rash has spread; is it shingles or scabies?",
        "Hello doctor, my mother has hemorrhoids and an anal fissure, would you tell me more about it?",
        "Okay so I want to know about the first-line treatment of dermatomyositis, thanks in advance",
        "Any thoughts on whether statins cause muscle pain (myalgia) in the elderly?",
    ],
)
def test_filler_removal_keeps_every_medical_word(question: str) -> None:
    medical = {
        "ibuprofen", "aspirin", "pain", "rash", "shingles", "scabies", "hemorrhoids", "anal", "fissure",
        "mother", "first-line", "treatment", "dermatomyositis", "statins", "muscle", "myalgia", "elderly",
        "spread", "safe", "away", "far",
    }  # fmt: skip
    kept = set(tokens(strip_filler(question)))
    assert {w for w in tokens(question) if w in medical} <= kept


# --- spelling ----------------------------------------------------------------------------------


def test_misspelling_corrected_against_the_corpus_vocabulary() -> None:
    text, corrections = speller().correct("Do fissures and hemmroids heal on their own?")
    assert corrections == (Correction("hemmroids", "hemorrhoids"),)
    assert text == "Do fissures and hemorrhoids heal on their own?"


def test_lexicon_names_as_written_are_suggested() -> None:
    s = speller(surface_words=frozenset({"dermatomyositis", "scabies"}))
    text, corrections = s.correct("treatmnet of dermatomiositis and scabis")
    assert [c.corrected for c in corrections] == ["treatment", "dermatomyositis"]
    # "scabis" has the index term of "scabies" (stem "scabi"): BM25 already finds it, nothing to correct
    assert text == "treatment of dermatomyositis and scabis"


def test_nothing_close_enough_is_left_alone() -> None:
    assert speller().correct("What is zolbetuximab?") == ("What is zolbetuximab?", ())


def test_short_words_numbers_and_abbreviations_are_not_corrected() -> None:
    s = speller()
    for q in ("Is COPD the same as BPH?", "vitamin b12 for tiredness", "flu or cold?"):
        assert all(c.typed not in ("COPD", "BPH", "b12", "flu") for c in s.correct(q)[1])
    # a run of one letter is one letter to the dictionary: "mmmmm" had become "rrmm" (RRMM, a myeloma)
    rrmm = Speller(
        TermVocabulary.from_texts(["Patients with RRMM received selinexor."], stem),
        min_df=1,
        real_words=frozenset(),
    )
    assert rrmm.correct("mmmmm okay so umm yeah")[1] == ()


def test_two_words_typed_without_a_space_are_split() -> None:
    # "vitamin d 25, totalhow much to takea day": "takea" had become "taken", "totalhow" was left
    assert split_glued("howmuch") == "how much" and split_glued("inthis") == "in this"  # not "int his"
    assert split_glued("takea") == "take a" and split_glued("totalhow") == "total how"
    # two content words glued are more often a misspelling or a brand; a name in mixed case stays
    for word in ("codeline", "doseages", "solostar", "pressair", "symtoms", "testerone", "equali"):
        assert split_glued(word) is None, word
    assert split_glued("andMe") is None
    s = Speller(corpus_vocabulary(), min_df=1)
    text, corrections = s.correct("vitamin d 25, totalhow much to takea day")
    assert text == "vitamin d 25, total how much to take a day"
    assert corrections == (Correction("totalhow", "total how"), Correction("takea", "take a"))


def test_a_real_english_word_the_corpus_lacks_is_not_corrected() -> None:
    s = Speller(corpus_vocabulary(), min_df=1)  # the bundled English word list this time
    _, corrections = s.correct("Do fissures and hemmroids heel on their own?")
    assert corrections == (Correction("hemmroids", "hemorrhoids"),)  # "heel" is a word: kept


_CORPUS_WORDS = sorted({w for p in PASSAGES for w in tokens(p) if w.isalpha()})


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_CORPUS_WORDS), min_size=1, max_size=8))
def test_a_corpus_word_is_never_corrected(words: list[str]) -> None:
    question = " ".join(words) + "?"
    s = speller()
    assert s.correct(question) == (question, ())
    assert all(s.known(w) for w in words)


@pytest.mark.parametrize("word", ["Hemorrhoids", "ESCITALOPRAM", "treated", "sitz"])
def test_corpus_words_in_any_case_or_form_are_known(word: str) -> None:
    assert speller().known(word)


# --- brand and generic names -------------------------------------------------------------------


def test_generic_core_drops_salts_and_keeps_ingredients() -> None:
    assert generic_core("Atorvastatin Calcium") == "atorvastatin"
    assert generic_core("ESCITALOPRAM OXALATE") == "escitalopram"
    assert generic_core("Diphenhydramine HCl, Phenylephrine HCl") == "diphenhydramine, phenylephrine"
    assert generic_core("Potassium Chloride") == "potassium"  # one ingredient word always stays


def _label(title: str, meta: dict[str, object]) -> tuple[str, dict[str, object]]:
    return title, meta


LABELS = [
    # openFDA: brand_name + drug_name
    _label("Lexapro (escitalopram)", {"brand_name": "Lexapro", "drug_name": "escitalopram"}),
    # SPL: product_name + drug_name (generic medicine)
    _label("HUMIRA (adalimumab) injection", {"product_name": "Humira", "drug_name": "Adalimumab"}),
    # a generic-only label: no brand
    _label("Haloperidol", {"product_name": "Haloperidol", "drug_name": "haloperidol"}),
    # a product description holding the generic is not a brand
    _label("MEN's Rogaine", {"product_name": "Mens rogaine Minoxidil - Unscented", "drug_name": "Minoxidil"}),
    # the title is the only source (another reader, or older metadata)
    _label("ZOLOFT® (sertraline hydrochloride) tablets", {}),
    # a combination product: brand -> both generics, but not a brand of either
    _label("Triaminic", {"product_name": "Triaminic", "drug_name": "Diphenhydramine HCl, Phenylephrine HCl"}),
]


def test_brand_and_generic_names_from_label_records() -> None:
    names = drug_names_from_records(LABELS)
    assert names.brand_to_generic["lexapro"] == ("escitalopram",)
    assert names.brand_to_generic["humira"] == ("adalimumab",)
    assert names.brand_to_generic["zoloft"] == ("sertraline",)
    assert names.brand_to_generic["triaminic"] == ("diphenhydramine, phenylephrine",)
    assert names.generic_to_brand["escitalopram"] == ("Lexapro",)
    assert names.generic_to_brand["sertraline"] == ("ZOLOFT".title(),)
    assert (
        "haloperidol" not in names.brand_to_generic
        and "mens rogaine minoxidil unscented" not in names.brand_to_generic
    )
    assert "diphenhydramine" not in names.generic_to_brand


def test_a_brand_of_several_words_is_named_by_its_first_word() -> None:
    # "how does spiriva work": the label's brand is "Spiriva Respimat"
    names = build_drug_names(
        [
            ("Spiriva Respimat", "tiotropium bromide"),
            ("Depakote ER", "divalproex sodium"),
            ("Depakote Sprinkle", "divalproex sodium"),
            ("Nurtec ODT", "rimegepant"),
            ("Nurtec Plus", "sumatriptan"),  # one first word, two medicines: neither
            ("Marcaine Spinal", "bupivacaine"),
            ("Marcaine", "bupivacaine hydrochloride"),  # already a brand of its own
            ("Cough Relief", "dextromethorphan"),  # a dictionary word
            ("Amondys 45", "casimersen"),
        ]
    )
    assert names.named("how does spiriva work") == ["spiriva"]
    assert names.mappings("how does spiriva work") == (
        NameMapping("spiriva", "tiotropium", "brand->generic"),
    )
    assert names.brand_to_generic["depakote"] == ("divalproex",)
    assert names.brand_to_generic["amondys"] == ("casimersen",)
    assert names.brand_to_generic["marcaine"] == ("bupivacaine",)
    assert "nurtec" not in names.brand_to_generic and "cough" not in names.brand_to_generic
    assert names.named("spiriva respimat dose") == ["spiriva respimat"]  # the whole brand still first


def test_a_generic_only_label_names_a_drug_without_adding_a_name() -> None:
    names = drug_names_from_records(LABELS)
    # haloperidol and minoxidil have labels but no brand: drugs all the same, with nothing to map to
    assert names.generics >= {"haloperidol", "minoxidil"}
    assert "escitalopram" not in names.generics and "diphenhydramine, phenylephrine" not in names.generics
    assert names.named("can haloperidol be taken at night?") == ["haloperidol"]
    assert names.names_a_drug("minoxidil for hair") and names.mappings("minoxidil for hair") == ()
    assert names.other_names("haloperidol") == () and "haloperidol" in names.words()


def test_name_mappings_both_ways_as_typed() -> None:
    names = drug_names_from_records(LABELS)
    assert names.mappings("Tell me about LEXAPRO") == (
        NameMapping("LEXAPRO", "escitalopram", "brand->generic"),
    )
    assert names.mappings("escitalopram dose") == (NameMapping("escitalopram", "Lexapro", "generic->brand"),)
    assert names.mappings("Lexapro or escitalopram?") == ()  # both names already there
    assert names.mappings("a lexapro-like drug") == ()  # tokens, not substrings


def test_names_from_the_fixture_corpus_labels() -> None:
    docs = [
        d
        for d in openfda.read_file(FIXTURE / "drug_labels/openfda/lipitor_openfda.json", Tier.DRUG_LABEL, "x")
    ]
    docs += [
        d
        for p in sorted((FIXTURE / "drug_labels/spl").glob("*.xml"))
        for d in spl_xml.read_file(p, Tier.DRUG_LABEL, p.name)
    ]
    names = drug_names_from_records((d.title, d.meta) for d in docs if isinstance(d, Document))
    assert names.brand_to_generic.get("lipitor") == ("atorvastatin",)
    assert "Lipitor" in names.generic_to_brand["atorvastatin"]


def test_names_from_a_catalog(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "catalog.sqlite")
    docs = [
        Document(f"x:{i}", Tier.DRUG_LABEL, "openfda", t, (Section("Indications", "text"),), meta=dict(m))
        for i, (t, m) in enumerate(LABELS)
    ]
    docs.append(Document("m:1", Tier.PATIENT_INFO, "medlineplus", "Lexapro (a topic)", (Section("S", "t"),)))
    catalog.replace_documents([(d, d.fingerprint(), []) for d in docs])
    names = drug_names_from_records(catalog.tier_records(Tier.DRUG_LABEL))
    catalog.close()
    assert names.brand_to_generic["lexapro"] == ("escitalopram",) and len(names) == 4


# --- the rewrite -------------------------------------------------------------------------------

LEXICON = build_lexicon([["Hemorrhoids", "Piles"], ["Dermatomyositis", "Myositis"]])
NAMES = build_drug_names([("Lexapro", "escitalopram oxalate")])


def understanding() -> QueryUnderstanding:
    return QueryUnderstanding(LEXICON, NAMES, speller(surface_words=LEXICON.vocabulary() | NAMES.words()))


def test_the_three_issue_questions_are_rewritten() -> None:
    u = understanding()
    r = u.rewrite("Do fissures and hemmroids heal on their own?")
    assert r.corrections == (Correction("hemmroids", "hemorrhoids"),)
    assert "hemorrhoids" in r.text and "piles" in r.search_query
    assert NameMapping("hemorrhoids", "piles", "synonym") in r.name_mappings
    r = u.rewrite("Alright so I dont know much about Lexapro would you tell me more about it?")
    assert r.text == "Lexapro?" and r.search_query == "Lexapro? escitalopram"
    assert r.name_mappings == (NameMapping("Lexapro", "escitalopram", "brand->generic"),)
    assert "Searching for: Lexapro?" in r.display and "escitalopram (generic name)" in r.display
    r = u.rewrite("Also what is the oral option to get rid of scabies?")
    assert r.text == "What is the oral option to treat scabies?" and not r.corrections


def test_a_question_with_nothing_to_change_is_searched_as_before() -> None:
    from qa.expansion import expand_query

    q = "What is the treatment for dermatomyositis?"
    r = understanding().rewrite(q)
    assert r.text == q and r.search_query == expand_query(q, LEXICON) and not r.corrections
    plain = rewrite_query("What causes gout?")
    assert plain.search_query == "What causes gout?" and not plain.changed


def test_a_follow_up_keeps_its_words_and_gets_the_topic() -> None:
    convo = Conversation()
    convo.add("What is the treatment for dermatomyositis?", lexicon=LEXICON)
    r = understanding().rewrite("Thanks! And what about in children?", convo)
    assert "children" in r.text and "dermatomyositis" in r.text.lower()
    assert r.cleaned == "And what about in children?"


# --- engine, JSON, HTML ------------------------------------------------------------------------


@pytest.fixture
def engine_and_retriever() -> tuple[AnswerEngine, MemoryRetriever]:
    chunks = [
        *DERMATOMYOSITIS,
        chunk(
            "Lexapro is indicated for the treatment of major depressive disorder and generalized anxiety "
            "disorder in adults. Escitalopram is a selective serotonin reuptake inhibitor.",
            tier=Tier.DRUG_LABEL,
            title="Lexapro (escitalopram)",
            collection="openfda",
            section="Indications and Usage",
            doc="openfda:lexapro",
        ),
    ]
    retriever = MemoryRetriever(chunks)
    vocab = TermVocabulary.from_texts((c.embed_text for c in chunks), stem)
    u = QueryUnderstanding(LEXICON, NAMES, Speller(vocab, min_df=1, surface_words=LEXICON.vocabulary()))
    return AnswerEngine(retriever, Settings(), lexicon=LEXICON, understanding=u), retriever


def test_engine_retrieves_with_the_rewritten_query(
    engine_and_retriever: tuple[AnswerEngine, MemoryRetriever],
) -> None:
    engine, retriever = engine_and_retriever
    answer = engine.ask("Alright so I dont know much about Lexapro would you tell me more about it?")
    asked = {q for q, _, _ in retriever.calls}
    # every tier searches the rewritten query; the drug overview adds one search per label section
    overview = {q for q in asked if q != "Lexapro? escitalopram"}
    assert "Lexapro? escitalopram" in asked
    assert overview and all(q.startswith("escitalopram ") for q in overview)
    assert answer.query_rewrite is not None and answer.query_rewrite.search_query == "Lexapro? escitalopram"
    assert answer.rewritten_query == answer.question  # the conversation-level rewrite is unchanged

    retriever.calls.clear()
    answer = engine.ask("What is the treatmnet for dermatomyosits?")
    assert {q for q, _, _ in retriever.calls} == {"What is the treatment for dermatomyositis? myositis"}
    assert not answer.abstained


def test_rewrite_in_ask_json_html_and_codec(
    engine_and_retriever: tuple[AnswerEngine, MemoryRetriever],
) -> None:
    engine, _ = engine_and_retriever
    answer = engine.ask("What is the treatmnet for Lexapro?")
    d = answer_to_json(answer)["query_rewrite"]
    assert d["corrections"] == [{"typed": "treatmnet", "corrected": "treatment"}]
    assert {"name": "Lexapro", "mapped_to": "escitalopram", "kind": "brand->generic"} in d["name_mappings"]
    assert d["search_query"].startswith("What is the treatment for Lexapro?") and d["searched_for"]
    html = render_answer(answer)
    assert "<s>treatmnet</s> → treatment" in html and "Lexapro → escitalopram (generic name)" in html
    assert 'class="mc-rewritten">Searching for: <q>What is the treatment for Lexapro?</q>' in html
    assert answer_from_dict(answer_to_dict(answer)) == answer
    unchanged = engine.ask("What is the treatment for dermatomyositis?")
    assert answer_to_json(unchanged)["query_rewrite"]["name_mappings"]  # the lexicon synonym
    plain = replace(
        unchanged, query_rewrite=replace(unchanged.query_rewrite, name_mappings=(), search_query="")
    )
    assert (
        "Searching for" not in render_answer(plain)
        and answer_to_json(plain)["query_rewrite"]["searched_for"] is None
    )


def test_the_ablation_engine_searches_the_question_as_asked(
    engine_and_retriever: tuple[AnswerEngine, MemoryRetriever],
) -> None:
    """`python -m evals.ablate_understanding` scores an engine without question understanding: it
    must run the engine's whole retrieval (it once failed on every question when the drug overview
    asked its understanding for drug names) and search only the question as asked."""
    from evals.ablate_understanding import PlainQuery

    engine, retriever = engine_and_retriever
    plain = AnswerEngine(retriever, Settings(), lexicon=LEXICON, understanding=PlainQuery(LEXICON))  # type: ignore[arg-type]
    retriever.calls.clear()
    evidence = plain.retrieve("Alright so tell me about Lexapro")
    assert evidence.by_tier  # retrieved, no error
    assert {q for q, _, _ in retriever.calls} == {"Alright so tell me about Lexapro"}  # no overview searches


def test_a_brand_the_corpus_lacks_is_not_made_into_a_neighbour() -> None:
    """Dev-suite questions had 'keflex' searched as 'reflex', 'premarin' as 'remain', 'celebrex' as the
    stem 'celebr' and 'metopol' as 'metop': the answers were about something else."""
    s = Speller(
        TermVocabulary.from_texts(
            [
                "The knee reflex was brisk and symptoms remain.",
                "We celebrate every small step; metoprolol lowers the heart rate.",
                "Remipril-like typos aside, ramipril lowers blood pressure.",
            ]
            * 3,
            stem,
        ),
        real_words=frozenset(),
    )
    for brand in ("keflex", "premarin", "celebrex"):
        assert s.suggest(brand) is None, brand
    assert s.correct("what is keflex and celebrex")[1] == ()
    # a misspelling that keeps its first letter is still corrected
    assert s.suggest("rampiril") == "ramipril"
    assert s.suggest("metoprolo") == "metoprolol"


def test_a_correction_keeps_the_first_letter_and_is_a_word() -> None:
    from qa.spelling import plausible

    assert plausible("hemmroids", "hemorrhoids", surface=False)
    assert not plausible("keflex", "reflex", surface=False)
    assert not plausible("celebrex", "celebr", surface=False)  # a stem cut from the typed word
    assert plausible("lidocaineof", "lidocaine", surface=True)  # a name as written, run into "of"


def test_a_correction_is_a_word_people_write_not_a_short_stem() -> None:
    """Dev-suite questions had 'tudorza pressair' searched as 'presacr' (the stem of 'presacral'), 'how
    to wean off calan sr' as 'calcan', 'benzonatate' as 'benzoatate' and 'nessasary' as 'necessari'."""
    s = Speller(
        TermVocabulary.from_texts(
            [
                "A presacral mass was found; it is necessary to image the pelvis.",
                "Sodium benzoate is a preservative; ramipril and phosphorylated tau were measured.",
            ]
            * 3,
            stem,
        ),
        real_words=frozenset({"necessary"}),
    )
    assert stem("presacral") == "presacr" and stem("necessary") == "necessari"
    assert s.suggest("pressair") is None  # only a cut stem is in reach: the brand stays as typed
    assert s.suggest("benzonatate") is None
    assert s.suggest("nessasary") == "necessary"  # Snowball's "i" back to the word's "y"
    # a word reached through the typed word's stem keeps the typed ending: "dravenic" (stem "draven") is
    # not "driven" ("the diagnostic criteria for dravenic neuritis" were answered about optic neuritis)
    driven = Speller(
        TermVocabulary.from_texts(["He was driven home."] * 3, stem), real_words=frozenset({"driven"})
    )
    assert stem("dravenic") == "draven" and driven.suggest("dravenic") is None
    # a long term the index holds is still a correction, with the typed ending where it analyses so
    assert s.suggest("remipril") == "ramipril"
    assert s.suggest("phopshorylated") == "phosphorylated"


def test_a_word_of_any_alphabet_is_one_word_and_a_far_shorter_word_no_correction() -> None:
    s = Speller(
        TermVocabulary(
            {stem(w): 3 for w in ("fatigue", "primary", "syndrome", "Sjögren", "green", "quilt")}, stem
        ),
        real_words=frozenset({"green", "quilt"}),
    )
    # "Sjögren's" was read as "Sj" and "gren's", and "gren's" corrected to "green's"
    assert s.correct("Is fatigue common in Sjögren's syndrome?")[1] == ()
    # "quillivant" (a brand the corpus lacks) reaches "quilt" only through its stem "quilliv"
    assert s.suggest("quillivant") is None


# --- brands the label tier does not know, read from the corpus's passages (issue 17) -------------


def test_a_brand_gets_the_generic_the_passages_give_it() -> None:
    from qa.drug_names import generics_given

    given = [
        "Benzodiazepine-based hypnotics include temazepam (Restoril, Temazepam, Gelthix) and others.",
        "Combined use with XANAX ® (alprazolam) is not recommended.",
        "- Buprenorphine (Subutex®, Suboxone®)",
        "Evidence Statements Regarding Anticonvulsants: Topiramate (Topamax, Topiragen)",
    ]
    assert generics_given("restoril", given) == ["temazepam"]
    assert generics_given("Xanax", given) == ["alprazolam"]
    assert generics_given("suboxone", given) == ["buprenorphine"]
    assert generics_given("topamax", given) == ["topiramate"]
    assert generics_given("halcion", given) == []  # not in the passages
    assert generics_given("lyrica", ["Evidence Statements: Pregabalin (Lyrica)"]) == ["pregabalin"]
    # a word the passages also write in lower case is a generic name, whatever precedes it in capitals
    assert (
        generics_given("phentermine", ["Qsymia (Phentermine, Topiramate)", "Take phentermine daily."]) == []
    )


@pytest.mark.parametrize(
    ("word", "passage"),
    [
        ("xanax", "benzodiazepines (Valium, Librium, and Xanax) slow the brain"),  # a class, plural
        ("mpnst", "a malignant peripheral nerve sheath tumour (MPNST) arises"),  # an acronym, no mark
        ("pfspz", "the sporozoite vaccine (PfSPZ) was tested"),  # a product code, mixed case
        ("aduhelm", "Aduhelm (aducanumab-avwa) was approved"),  # a hyphenated suffix is not a name
        ("prevnar", "Prevnar (conjugate vaccine) is given"),  # an English word is no generic
        ("restoril", "temazepam (restoril) tablets"),  # written in lower case: no trade name
        ("jalyn", "dutasteride and tamsulosin (Jalyn) capsules"),  # a combination's brand
        ("contrave", "naltrexone/bupropion (Contrave) was approved"),
        ("triumeq", "Triumeq (abacavir, dolutegravir and lamivudine) is one tablet"),
    ],
)
def test_what_is_not_a_brand_beside_its_generic(word: str, passage: str) -> None:
    from qa.drug_names import generics_given

    assert generics_given(word, [passage]) == []


def test_which_words_may_be_brands() -> None:
    from qa.drug_names import brand_candidates

    # the label tier's names, short words, stopwords and generics by their INN stem are not; English
    # words are ("valium" is one), and the understanding asks more of them
    assert brand_candidates("is restoril addictive with Lexapro or liraglutide or ambien", NAMES) == [
        "restoril",
        "addictive",
        "ambien",
    ]
    # a label that gives only its brand ("Lyrica") names a drug without another name: looked up too
    alone = build_drug_names([("Lexapro", "escitalopram oxalate")], ["Lyrica"])
    assert brand_candidates("lyrica or lexapro", alone) == ["lyrica"]


def test_a_brand_read_from_the_passages_is_searched_by_its_generic() -> None:
    looked_up: list[str] = []

    def passages(word: str) -> list[str]:
        looked_up.append(word)
        return ["Hypnotics include temazepam (Restoril, Gelthix) and triazolam (Halcion)."]

    u = replace(understanding(), passages=passages)
    r = u.rewrite("is restoril addictive?")
    assert r.search_query == "is restoril addictive? temazepam"
    assert r.name_mappings == (NameMapping("restoril", "temazepam", "brand->generic"),)
    assert u.rewrite("Is Restoril addictive?").name_mappings == (
        NameMapping("Restoril", "temazepam", "brand->generic"),
    )
    assert looked_up == ["restoril"]  # once per word
    # a question that names the generic already adds nothing; a word no passage pairs adds nothing
    assert u.rewrite("restoril or temazepam at night").name_mappings == ()
    assert u.rewrite("what is gelthox").name_mappings == ()
    # without a passage search (no index) only the label tier's brands are known
    assert understanding().rewrite("is restoril addictive?").name_mappings == ()


def test_a_read_brand_is_a_drug_name_for_its_question() -> None:
    from qa.understanding import question_names

    r = rewrite_query(
        "what is restoril", names=NAMES, corpus_generics=lambda w: ("temazepam",) if w == "restoril" else ()
    )
    names = question_names(NAMES, r)
    assert names.named("what is restoril") == ["restoril"] and names.other_names("restoril") == ("temazepam",)
    assert not NAMES.names_a_drug("restoril")  # the label tier's names are unchanged
    # a label brand keeps its own generic
    assert NAMES.with_brands([("Lexapro", "citalopram")]).other_names("lexapro") == ("escitalopram",)


def test_the_engine_answers_a_brand_from_passages_on_its_generic() -> None:
    """'is restoril addictive': a guideline names Restoril as temazepam; the passage on dependence
    says only temazepam. The answer is about temazepam, with the brand's passage searched for once."""
    chunks = [
        chunk(
            "Benzodiazepine-based hypnotics include temazepam (Restoril, Gelthix), triazolam (Halcion) "
            "and flurazepam (Dalmane).",
            tier=Tier.GUIDELINE,
            title="Insomnia guideline",
            collection="ngc",
        ),
        chunk(
            "Temazepam can cause physical dependence and addiction; stopping it suddenly after long use "
            "can cause withdrawal seizures, so the dose should be tapered.",
            title="Temazepam dependence in older adults",
        ),
        *DERMATOMYOSITIS,
    ]
    retriever = MemoryRetriever(chunks)

    def passages(word: str) -> list[str]:
        return [h.chunk.text for h in retriever.search(word, k=20)]

    u = QueryUnderstanding(LEXICON, NAMES, passages=passages)
    engine = AnswerEngine(retriever, Settings(), lexicon=LEXICON, understanding=u)
    answer = engine.ask("is restoril addictive?")
    assert answer.query_rewrite is not None
    assert answer.query_rewrite.search_query == "is restoril addictive? temazepam"
    assert not answer.abstained
    cited = {c.chunk.title for c in answer.citations}
    assert "Temazepam dependence in older adults" in cited


class CorpusWords:
    """WordStats over a fixed vocabulary: a word is known when the corpus uses it."""

    def __init__(self, texts: list[str]) -> None:
        self.vocabulary = {t for text in texts for t in tokens(text)}

    def idf(self, word: str) -> float | None:
        return 1.0

    def known_fraction(self, text: str) -> float | None:
        toks = tokens(text)
        return sum(t in self.vocabulary for t in toks) / len(toks) if toks else None

    def term_frequencies(self) -> dict[str, int]:
        return dict.fromkeys(self.vocabulary, 3)

    def term_of(self, word: str) -> str:
        return word.lower()


def test_an_engine_over_corpus_words_reads_brands_from_its_own_search() -> None:
    from index.corpus_stats import CorpusStats

    chunks = [
        chunk("Hypnotics include temazepam (Restoril, Gelthix).", tier=Tier.GUIDELINE, collection="ngc"),
        *DERMATOMYOSITIS,
    ]
    retriever = MemoryRetriever(chunks)
    stats = CorpusStats(words=CorpusWords([c.embed_text for c in chunks]))
    engine = AnswerEngine(retriever, Settings(), lexicon=LEXICON, corpus_stats=stats)
    r = engine.understand("is gelthix addictive")  # a brand no drug dictionary has
    assert NameMapping("gelthix", "temazepam", "brand->generic") in r.name_mappings
    assert ("gelthix", 20, None) in retriever.calls
    retriever.calls.clear()
    engine.understand("is zolpiqrem addictive")  # a word the corpus never uses is not searched for
    assert all(q != "zolpiqrem" for q, _, _ in retriever.calls)
    # over a retriever without corpus words, nothing is searched to rewrite a question
    bare = AnswerEngine(retriever, Settings(), lexicon=LEXICON)
    assert bare.understanding.passages is None


# --- brands from the packaged drug dictionary ---------------------------------------------------

DICTIONARY_VARIANTS = {
    "lasix": ["furosemide"],
    "valium": ["diazepam"],
    "vitae": ["tocopherols"],
    "triumeq": ["abacavir, dolutegravir, and lamivudine"],
    "ferritin": ["ferritins"],  # the same word: no other name
    "sone": ["prednisone"],  # too short to look up
    "tylenol pm": ["acetaminophen and diphenhydramine"],  # one word only
    "furosemide": ["furosemide"],
    "zelboraf": ["vemurafenib"],  # a generic the corpus lacks
    "paracetamol": ["acetaminophen"],  # a generic of its own
}


def test_the_dictionary_keeps_one_word_names_of_other_drugs() -> None:
    from qa.drug_dictionary import BrandDictionary

    d = BrandDictionary.from_variants(DICTIONARY_VARIANTS)
    assert d.words() == {"lasix", "valium", "vitae", "triumeq", "zelboraf", "paracetamol"}
    assert d.single_generic("Lasix") == "furosemide"
    assert d.generic_of("triumeq") is not None and d.single_generic("triumeq") is None  # a combination
    assert d.generic_of("ferritin") is None and d.generic_of("furosemide") is None
    # only names of drugs: a MeSH class heading is no drug's other name
    drugs = {"furosemide", "diazepam", "vemurafenib"}
    classes = {**DICTIONARY_VARIANTS, "statins": ["hydroxymethylglutaryl-coa reductase inhibitors"]}
    assert BrandDictionary.from_variants(classes, drugs).words() == {"lasix", "valium", "zelboraf"}
    # a drug's name: a name the dictionary maps, or a one-word generic it maps one to
    assert d.names_drug("Lasix") and d.names_drug("furosemide") and d.names_drug("acetaminophen")
    assert not d.names_drug("ferritin") and not d.names_drug("dolutegravir") and not d.names_drug("pen")


def test_the_packaged_dictionary_names_brands_the_corpus_never_pairs() -> None:
    from qa.drug_dictionary import packaged_dictionary

    d = packaged_dictionary()
    assert d.single_generic("lasix") == "furosemide" and d.single_generic("klonopin") == "clonazepam"
    assert d.single_generic("triumeq") is None and d.generic_of("triumeq") is not None  # a combination
    assert d.generic_of("statins") is None


DIURETICS = [
    "Furosemide is a loop diuretic used for edema in heart failure; tocopherols are vitamin E.",
    "Fever: acetaminophen, which Europe calls paracetamol, is first choice.",
    "Diazepam (Valium) is a benzodiazepine. LASIK surgery reshapes the cornea; a lasik laser is used.",
    "Triumeq (abacavir, dolutegravir and lamivudine) is one tablet a day.",
]


def dictionary_understanding(passages: list[str]) -> tuple[QueryUnderstanding, list[str]]:
    """Understanding over DIURETICS' vocabulary with the fake dictionary; records the words searched."""
    from qa.drug_dictionary import BrandDictionary
    from qa.understanding import understanding_from_stats

    searched: list[str] = []

    def search(word: str) -> list[str]:
        searched.append(word)
        return passages

    class Stats:
        words = True
        label_records: list[tuple[str, dict[str, object]]] = []
        vocabulary = TermVocabulary.from_texts(DIURETICS, stem)

        def frequencies(self) -> dict[str, int]:
            return dict.fromkeys(self.vocabulary.terms, 3)

        def term_of(self, word: str) -> str:
            return self.vocabulary.term_of(word)

    u = understanding_from_stats(
        Stats(),  # type: ignore[arg-type]
        build_lexicon([["LASIK", "Laser eye surgery"]]),  # "lasik" is a name as written
        passages=search,
        dictionary=BrandDictionary.from_variants(DICTIONARY_VARIANTS),
    )
    return u, searched


def test_a_brand_the_corpus_never_pairs_is_searched_by_the_dictionarys_generic() -> None:
    u, searched = dictionary_understanding(DIURETICS)
    r = u.rewrite("is lasix the only diuretic drug for fluid build up?")
    # not "corrected" to the corpus's "lasik"; searched by its generic: no passage writes "lasix" in
    # lower case, as a generic or an everyday word would be
    assert not r.corrections and "lasix" in r.text
    assert r.name_mappings[0] == NameMapping("lasix", "furosemide", "brand->generic")
    assert searched == ["lasix"]
    # a combination's brand is no one part's: it is read from the passages as before
    assert u.rewrite("what is triumeq").name_mappings == ()
    assert searched == ["lasix", "triumeq"]
    # a name the corpus writes in lower case is a generic of its own
    assert u.rewrite("paracetamol for fever").name_mappings == ()
    # a generic the corpus lacks adds nothing to search
    assert u.rewrite("zelboraf dose").name_mappings == ()


def test_an_english_word_is_a_brand_only_where_the_corpus_writes_it_as_one() -> None:
    u, searched = dictionary_understanding(
        ["Diazepam (Valium) is a benzodiazepine.", "His curriculum vitae."]
    )
    assert u.rewrite("how long does valium last").name_mappings == (
        NameMapping("valium", "diazepam", "brand->generic"),
    )
    assert u.rewrite("what vitae help skin").name_mappings == ()  # "vitae" is written as a word
    assert searched == ["valium", "vitae"]
    # without a passage search an English word is never taken for a brand
    bare = replace(u, passages=None, _generics={})
    assert bare.rewrite("how long does valium last").name_mappings == ()


def test_the_engine_answers_a_dictionary_brand_on_its_generic() -> None:
    """'is lasix the only diuretic ...': no passage says Lasix; the answer is about furosemide."""
    from qa.drug_dictionary import BrandDictionary

    chunks = [
        chunk(
            "Loop diuretics such as furosemide relieve fluid overload in heart failure; thiazide "
            "diuretics such as metolazone may be added when the response to furosemide is poor.",
            tier=Tier.GUIDELINE,
            title="Heart failure guideline",
            collection="ngc",
        ),
        *DERMATOMYOSITIS,
    ]
    dictionary = BrandDictionary.from_variants(DICTIONARY_VARIANTS)
    u = QueryUnderstanding(LEXICON, NAMES, dictionary=dictionary)
    engine = AnswerEngine(MemoryRetriever(chunks), Settings(), lexicon=LEXICON, understanding=u)
    answer = engine.ask("is lasix the only diuretic drug for fluid build up in heart failure?")
    assert answer.query_rewrite is not None and "furosemide" in answer.query_rewrite.search_query
    assert not answer.abstained
    assert "Heart failure guideline" in {c.chunk.title for c in answer.citations}
    assert any("furosemide" in c.chunk.text for c in answer.citations)
    # without the dictionary the brand is a word nothing in the corpus uses
    bare = AnswerEngine(
        MemoryRetriever(chunks), Settings(), lexicon=LEXICON, understanding=QueryUnderstanding(LEXICON, NAMES)
    )
    assert "furosemide" not in (bare.understand("is lasix the only diuretic drug?").search_query)


def test_a_drugs_salt_is_not_expanded_as_a_topic_of_its_own() -> None:
    # "enoxaparin sodium" was searched for "salt sodium chloride dietary sodium dietary" (the MedlinePlus
    # topic "Sodium"), and "what is docusate sodium" abstained on passages about dietary salt
    lexicon = build_lexicon([["Sodium", "Salt", "Dietary sodium"]])
    assert rewrite_query("how to self inject enoxaparin sodium", lexicon=lexicon).search_query == (
        "how to self inject enoxaparin sodium"
    )
    # sodium asked about for itself still is
    rewrite = rewrite_query("how much sodium should i eat", lexicon=lexicon)
    assert "dietary sodium" in rewrite.search_query
    assert (
        rewrite_query("too much sodium chloride", lexicon=lexicon).search_query != "too much sodium chloride"
    )
