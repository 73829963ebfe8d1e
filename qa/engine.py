"""The answer engine: question -> rewritten query -> tier-aware retrieval -> safety / abstention ->
composition (extractive, or an LLM with checked citations) -> support check -> Answer.

    engine = AnswerEngine(index, settings)            # or AnswerEngine(retriever, settings, corpus_stats=...)
    answer = engine.ask("What is the treatment for dermatomyositis?", audience="patient")
    for partial in engine.ask_stream(question): ...   # first section early, last one final
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from index import CorpusStats, Index
from medcite.embedding import Embedder
from medcite.input_guard import check_question
from medcite.settings import Settings
from medcite.types import Answer, Audience, Hit, QueryRewrite, SearchFilters, Tier, answer_content_id
from qa.answer_retrieval import Reranker, RetrievedEvidence, flatten_by_tier, retrieve_by_tier, tier_filters
from qa.audience import adapt_drafts, disclaimer_for, gloss_first_use
from qa.base import Retriever
from qa.compose import (
    compose_attempts,
    compose_sections,
    question_intents,
    says_what_is_asked,
    unanswered_asks,
)
from qa.conflicts import conflict_notes
from qa.conversation import Conversation, extract_topic, rewrite_follow_up, suggest_follow_ups
from qa.drafts import Draft, assemble, tier_order
from qa.drug_dictionary import MIN_NAME
from qa.expansion import Lexicon, lexicon_from_stats
from qa.grading import recency
from qa.overview import (
    OVERVIEW_SECTIONS,
    asked_queries,
    asked_sections,
    merge_overview,
    overview_compose_text,
    overview_drug,
    overview_queries,
    sections_asked,
)
from qa.safety import (
    ABSTAIN_NOTICE,
    NON_MEDICAL_NOTICE,
    OWN_RECORDS_NOTICE,
    UNKNOWN_NAME_NOTICE,
    asked_gap_notice,
    asks_about_own_records,
    closest_topics,
    condition_names,
    dictionary_drugs,
    emergency_kinds,
    emergency_notice,
    focus_hits,
    focus_names,
    focus_notice,
    focus_spoken_of,
    is_non_medical,
    looks_like_gibberish,
    name_terms,
    question_focus,
    retrieval_confidence,
    term_weights,
    uncovered_words,
    unknown_name,
    without_fragments,
    without_words,
)
from qa.support import check_support
from qa.textutil import fold, tokens
from qa.understanding import QueryUnderstanding, question_names, understanding_from_stats

# Candidates per overview-section search (the named drug's own label is usually the first).
OVERVIEW_CANDIDATES = 5
# ... and per asked-section search, whose words many labels share ("withdrawn gradually").
ASKED_CANDIDATES = 20
# Passages read for the generic name of a brand the label tier does not know.
BRAND_PASSAGES = 20


@dataclass(frozen=True)
class Judgement:
    """The engine's answer-or-abstain decision on retrieved evidence, with the confidence behind it.

    `focus_only`: confidence was below the threshold but the sources name the question's focus (the
    rarest of the names it uses, else its rarest term: `qa.safety.question_focus`), so the answer
    gives what they say about it and `missing` names the question's words no passage mentions (issue
    16 item 3)."""

    confidence: float
    abstain: Literal["non_medical", "unknown_name", "own_records", "low_confidence"] | None
    focus: str | None = None
    focus_found: bool = False  # a top passage names the focus (whatever the confidence)
    focus_only: bool = False
    missing: tuple[str, ...] = ()
    about_focus: tuple[str, ...] = ()  # chunk ids of the retrieved passages that name the focus
    # the focus's names (`focus_names`) when it is a name (a drug, a condition): every sentence of the
    # answer is about it (issue 17)
    focus_names: tuple[frozenset[str], ...] = ()


class AnswerEngine:
    """Answers questions over an `Index` (a retriever of `mode` is built over it) or any `Retriever`.

    Over an Index the engine takes its corpus statistics, embedder and corpus hash from it; over a
    bare Retriever they are given (`corpus_stats`, `embedder`, `corpus_hash`) or absent. Explicit
    arguments always win.
    """

    def __init__(
        self,
        source: Index | Retriever,
        settings: Settings,
        *,
        chat_model: Any = None,
        corpus_stats: CorpusStats | None = None,
        lexicon: Lexicon | None = None,
        embedder: Embedder | None = None,
        reranker: Reranker | None = None,
        mode: str = "hybrid",
        corpus_hash: str | None = None,
        understanding: QueryUnderstanding | None = None,
    ) -> None:
        if isinstance(source, Index):
            from qa.retrievers import Bm25Retriever, make_retriever

            self.retriever: Retriever = make_retriever(source, mode, settings)
            # one word's passages (a brand's generic is read from them): its keyword hits suffice
            self._word_search: Retriever = Bm25Retriever(source)
            corpus_stats = corpus_stats if corpus_stats is not None else source.corpus_stats
            embedder = embedder if embedder is not None else source.embedder
            corpus_hash = corpus_hash if corpus_hash is not None else source.corpus_hash
        else:
            self.retriever = self._word_search = source
        self.settings = settings
        self.reranker = reranker
        self.embedder = embedder
        self.corpus_hash = corpus_hash or ""
        self.corpus_stats = corpus_stats if corpus_stats is not None else CorpusStats()
        self.lexicon = lexicon if lexicon is not None else lexicon_from_stats(self.corpus_stats)
        # issue 16: filler, spelling and drug names from this index's statistics.
        self.understanding = understanding or understanding_from_stats(
            self.corpus_stats, self.lexicon, passages=self._passages_using
        )
        # Which of a question's words the corpus uses (None without a keyword index): tells
        # unfamiliar-but-real words from keyboard noise.
        self._known_fraction: Callable[[str], float | None] = self.corpus_stats.known_fraction
        # Rare words carry a question: retrieval confidence weights its terms by corpus IDF (None
        # for every word without an index, which leaves the terms evenly weighted).
        self.term_weight: Callable[[str], float | None] = self.corpus_stats.idf
        if chat_model is None and settings.llm.provider != "none":
            from qa.llm import make_chat_model

            chat_model = make_chat_model(settings)
        self.chat_model = chat_model

    # --- public API ---------------------------------------------------------------------------

    def understand(self, question: str, conversation: Conversation | None = None) -> QueryRewrite:
        """How a question is searched: filler removed, spelling corrected, names added (issue 16)."""
        return self.understanding.rewrite(question, conversation)

    def ask(
        self,
        question: str,
        audience: Audience = "clinician",
        conversation: Conversation | None = None,
        filters: SearchFilters | None = None,
        *,
        evidence: RetrievedEvidence | None = None,
    ) -> Answer:
        """The final answer (the last of `ask_stream`)."""
        answers = list(self.ask_stream(question, audience, conversation, filters, evidence=evidence))
        return answers[-1]

    def retrieve(
        self,
        question: str,
        audience: Audience = "clinician",
        conversation: Conversation | None = None,
        filters: SearchFilters | None = None,
    ) -> RetrievedEvidence:
        """The passages the engine answers this question from: the question validated, a follow-up
        rewritten, the query expanded, then one filtered search per tier with de-duplication and
        quotas (`retrieve_by_tier`). `ask` retrieves through this very method, so an eval that scores
        these passages scores what ships. Nothing is searched for keyboard noise (`gibberish`)."""
        if audience not in ("clinician", "patient"):
            audience = "clinician"
        t0 = time.perf_counter()
        # issue 9: one validation for every entry point (empty, unreadable, too long, no words).
        question = check_question(question, self.settings.limits.max_question_chars)
        rewritten = rewrite_follow_up(question, conversation, self.lexicon)
        understood = self.understand(question, conversation)
        timings = {"rewrite_ms": _ms(t0)}
        known = self._known_fraction(rewritten)
        if looks_like_gibberish(rewritten, known):
            return RetrievedEvidence(
                question,
                rewritten,
                "",
                audience,
                {},
                (),
                known,
                gibberish=True,
                timings_ms=timings,
                understood=understood,
            )
        t1 = time.perf_counter()
        tier_hits = retrieve_by_tier(
            self.retriever,
            understood.search_query,
            self.settings.retrieval,
            filters=filters,
            reranker=self.reranker,
        )
        names = question_names(self.understanding.names, understood)
        drug = overview_drug(understood.text, names)
        intents = question_intents(understood.text)
        if drug is not None:
            # what a question in overview words asks of it first ("what is in flomax": its ingredients)
            asked_first = tuple(s for s in sections_asked(intents) if s not in OVERVIEW_SECTIONS)
            queries = [*asked_queries(drug, asked_first), *overview_queries(drug)]
            sections = (*asked_first, *OVERVIEW_SECTIONS)
            tier_hits = self._with_label_sections(tier_hits, drug, queries, sections, filters)
        elif asked := asked_sections(understood.text, names, intents):
            drug, sections = asked
            queries = asked_queries(drug, sections)
            tier_hits = self._with_label_sections(
                tier_hits, drug, queries, sections, filters, ASKED_CANDIDATES
            )
        timings["retrieve_ms"] = _ms(t1)
        return RetrievedEvidence(
            question,
            rewritten,
            understood.search_query,
            audience,
            tier_hits,
            flatten_by_tier(tier_hits, tier_order(audience)),
            known,
            timings_ms=timings,
            understood=understood,
        )

    def _passages_using(self, word: str) -> list[str]:
        """The passages a search for one word finds (a brand's generic name is read from them); none
        for a word the corpus never uses."""
        if self._known_fraction(word) == 0.0:
            return []
        return [h.chunk.text for h in self._word_search.search(word, k=BRAND_PASSAGES)]

    def _with_label_sections(
        self,
        tier_hits: dict[Tier, list[Hit]],
        drug: Sequence[str],
        queries: Sequence[str],
        sections: Sequence[tuple[str, re.Pattern[str]]],
        filters: SearchFilters | None,
        k: int = OVERVIEW_CANDIDATES,
    ) -> dict[Tier, list[Hit]]:
        """The drug's own label passages from `sections` lead the label tier: its overview for a
        question that only names the drug, the section that says what was asked for one that asks
        one thing of it ("what does memantine look like")."""
        tf = tier_filters(Tier.DRUG_LABEL, filters)
        if tf is None:
            return tier_hits
        search = self.retriever.search
        per_section = [search(q, k=k, filters=tf) for q in queries]
        found = tier_hits.get(Tier.DRUG_LABEL, [])
        merged = merge_overview(found, per_section, drug, self.settings.retrieval.per_tier, sections)
        return {**tier_hits, Tier.DRUG_LABEL: merged} if merged else tier_hits

    def _best_similarity(self, text: str, hits: Sequence[Hit], n: int = 3) -> float | None:
        """The best cosine between the question and the top `n` passages of each tier (embedded as
        at ingest), or None without an embedder."""
        if self.embedder is None or not hits:
            return None
        import numpy as np

        top = sorted(hits, key=lambda h: h.rank)
        chunks = list({h.chunk_id: h.chunk for h in top if h.rank <= n}.values()) or [top[0].chunk]
        q = np.asarray(self.embedder.embed_query(text), dtype=np.float32)
        docs = np.asarray(self.embedder.embed_documents([c.embed_text for c in chunks]), dtype=np.float32)
        norms = np.linalg.norm(docs, axis=1) * max(float(np.linalg.norm(q)), 1e-9)
        return float(np.max(docs @ q / np.maximum(norms, 1e-9)))

    def judge(self, evidence: RetrievedEvidence) -> Judgement:
        """Whether the evidence is enough to answer: keyboard noise and non-medical questions, then
        retrieval confidence against `composer.abstain_threshold`. `ask` decides through this very
        method, so the abstention calibration (evals/calibrate_abstention.py) measures what ships."""
        if evidence.gibberish:
            return Judgement(0.0, "non_medical")
        if asks_about_own_records(evidence.question):
            return Judgement(0.0, "own_records")
        text = evidence.understood.text if evidence.understood is not None else evidence.rewritten
        # Each tier's own ranks (not the flat list's): confidence looks at every tier's top passages.
        hits = [h for tier_hits in evidence.by_tier.values() for h in tier_hits]
        names = question_names(self.understanding.names, evidence.understood)
        text = without_fragments(text, self._known_fraction, names)
        confidence = retrieval_confidence(text, hits, self.lexicon, weight=self.term_weight)
        # drugs the label tier lacks ("magnesium citrate", "acetaminophen") the drug dictionary names
        drugs = dictionary_drugs(text, self.understanding.dictionary.names_drug, MIN_NAME)
        if is_non_medical(
            text,
            confidence,
            self.lexicon,
            evidence.known_fraction,
            names,
            corpus_knows=lambda w: bool(self._known_fraction(w)),
            similarity=lambda: self._best_similarity(text, hits),
            min_similarity=self.settings.composer.non_medical_similarity,
            drugs=drugs,
        ):
            # a name the corpus never uses is not a sign of a non-medical question: say it is missing
            return Judgement(confidence, "non_medical", unknown_name(text, self.corpus_stats.known_fraction))
        among, other_names = name_terms(text, names)
        focus = question_focus(text, self.term_weight, among, drugs)
        also = other_names.get(focus, ()) if focus is not None else ()
        about_focus = focus_hits(focus, text, hits, self.lexicon, also) if focus is not None else []
        if focus is not None and not about_focus and focus not in among:
            # an everyday word no passage names is no focus an answer could keep to
            spoken = focus_spoken_of(focus, text, self.term_weight, hits, self.lexicon)
            if spoken is not None:
                (focus, about_focus), also = spoken, ()
        found = bool(about_focus)
        focus_word = next((t for t in tokens(text) if fold(t) == focus), focus)
        # Only a focus chosen by corpus IDF restricts the composer: without an index it is a guess.
        weighed = focus is not None and term_weights(text, self.term_weight).get(focus) is not None
        ids = tuple(h.chunk_id for h in about_focus) if weighed else ()
        named: tuple[frozenset[str], ...] = ()
        if focus is not None and weighed and found:
            # a name (a drug), or a condition named by its topic's whole name ("seasonal affective disorder")
            named = focus_names(focus, text, self.lexicon, also) if focus in among else ()
            named = named or condition_names(focus, text, self.lexicon)
        if focus_word and focus in among and not found and self._known_fraction(focus_word) == 0.0:
            # the name asked about is one the corpus never uses ("how long will benzonatate last on the
            # shelf"): however well its other words are covered (the shelf life of stored blood), an
            # answer could not be about it. A brand whose generic the corpus uses ("norvasc and
            # depression?": amlodipine) is no unknown name: the passages found just do not cover it.
            known_as = any(self._known_fraction(name) for name in also)
            return Judgement(confidence, "low_confidence" if known_as else "unknown_name", focus_word, found)
        if confidence >= self.settings.composer.abstain_threshold:
            return Judgement(confidence, None, focus_word, found, about_focus=ids, focus_names=named)
        if found and self.settings.composer.answer_on_focus:
            missing = tuple(w for w in uncovered_words(text, about_focus) if w != focus_word)
            return Judgement(
                confidence,
                None,
                focus_word,
                found,
                focus_only=True,
                missing=missing,
                about_focus=ids,
                focus_names=named,
            )
        return Judgement(confidence, "low_confidence", focus_word, found)

    def ask_stream(
        self,
        question: str,
        audience: Audience = "clinician",
        conversation: Conversation | None = None,
        filters: SearchFilters | None = None,
        *,
        evidence: RetrievedEvidence | None = None,
    ) -> Iterator[Answer]:
        """Yield progressively fuller answers (one per composed section); the last is final.
        The conversation is read, not changed: callers add each answer with `conversation.add`.
        `evidence` (from `retrieve` for the same question) answers from passages already retrieved."""
        if audience not in ("clinician", "patient"):
            audience = "clinician"
        t0 = time.perf_counter()
        if evidence is None:
            evidence = self.retrieve(question, audience, conversation, filters)
        elif evidence.question != check_question(question, self.settings.limits.max_question_chars):
            raise ValueError("evidence was retrieved for another question")
        question, rewritten = evidence.question, evidence.rewritten
        timings: dict[str, float] = dict(evidence.timings_ms)
        understood = evidence.understood or self.understand(question, conversation)
        kinds = emergency_kinds(question)
        notices: list[str] = [emergency_notice(kinds)] if kinds else []

        def abstain(notice: str, ids: Sequence[str] = (), closest: tuple[str, ...] = ()) -> Answer:
            """An answer that asserts nothing: the notice says why, `closest` what came nearest."""
            return self._answer(
                question,
                rewritten,
                audience,
                ids,
                {},
                notices + [notice],
                abstained=True,
                emergency=bool(kinds),
                timings=timings,
                t0=t0,
                closest=closest,
                query_rewrite=understood,
            )

        if evidence.gibberish:
            yield abstain(NON_MEDICAL_NOTICE)
            return

        tier_hits = evidence.by_tier
        all_hits = [h for hs in tier_hits.values() for h in hs]
        hits_by_id = {h.chunk_id: h for h in all_hits}
        retrieved_ids = sorted(hits_by_id)

        judgement = self.judge(evidence)
        if judgement.abstain in ("non_medical", "unknown_name"):
            name = judgement.focus  # a name the corpus lacks (always there for "unknown_name")
            notice = UNKNOWN_NAME_NOTICE.format(name=name) if name else NON_MEDICAL_NOTICE
            yield abstain(notice, retrieved_ids)
            return
        if judgement.abstain == "own_records":
            yield abstain(OWN_RECORDS_NOTICE, retrieved_ids)
            return
        if judgement.abstain == "low_confidence":
            yield abstain(ABSTAIN_NOTICE, retrieved_ids, closest=closest_topics(all_hits))
            return
        # What sentences are chosen for: the question, or, answering about its focus, the question
        # without the words no passage mentions (they would only pull in unrelated sentences).
        compose_text = understood.text
        drug = overview_drug(understood.text, question_names(self.understanding.names, understood))
        if drug is not None:
            compose_text = overview_compose_text(understood.text, drug)
        if judgement.focus_only and judgement.focus and judgement.missing:
            # ... but a word that says what is asked stays ("wean": the sentences on stopping it); an
            # answer that does not say it gets `asked_gap_notice` instead
            asks = [w for w in judgement.missing if says_what_is_asked(w, understood.text)]
            unasked = [w for w in judgement.missing if w not in asks]
            if unasked:
                notices.append(focus_notice(judgement.focus, unasked))
            compose_text = without_words(understood.text, unasked)
        # What sentences are chosen from: where passages name the focus, only those (issue 17).
        if self.settings.composer.focus_passages_only and judgement.about_focus:
            keep = set(judgement.about_focus)
            tier_hits = {t: [h for h in hs if h.chunk_id in keep] for t, hs in tier_hits.items()}

        t2 = time.perf_counter()

        def draft_answer(drafts: Sequence[Draft], *, final: bool = True) -> Answer:
            """The answer so far (streamed while sections arrive) or, with final=True, the answer."""
            if audience == "patient":
                # after drops (support, budget, repeats) a term is explained where it is now first used
                drafts = gloss_first_use(drafts)
            return self._answer(
                question,
                rewritten,
                audience,
                retrieved_ids,
                hits_by_id,
                notices,
                drafts=drafts,
                emergency=bool(kinds),
                timings=timings if final else dict(timings),
                t0=t0,
                final=final,
                query_rewrite=understood,
            )

        drafts: list[Draft] | None = None
        if self.chat_model is not None:
            drafts = yield from self._llm_drafts(rewritten, audience, tier_hits, draft_answer)
        composer = self.settings.composer

        def finish(new: list[Draft], shown: list[Draft]) -> list[Draft]:
            new = adapt_drafts(new, audience, composer.patient_max_words, shown=shown)
            return check_support(new, hits_by_id, composer.support_threshold)

        focus = judgement.focus_names if composer.focus_passages_only else ()

        def extractive(
            asked: Sequence[frozenset[str]], max_grade: float | None
        ) -> Generator[Answer, None, list[Draft]]:
            out: list[Draft] = []
            for out in compose_sections(
                compose_text,
                tier_hits,
                composer,
                audience,
                max_grade,
                focus=focus,
                asked=asked,
                finish=finish,
            ):
                timings["compose_ms"] = _ms(t2)
                yield draft_answer(out, final=False)
            return out

        if drafts is None:
            # only what was asked when the sources say it; a patient gets the plainest sentences that
            # make an answer (qa.compose.compose_attempts)
            for asked, grade in compose_attempts(understood.text, composer, audience):
                drafts = yield from extractive(asked, grade)
                if drafts:
                    break
        timings["compose_ms"] = _ms(t2)
        if not drafts:
            yield abstain(ABSTAIN_NOTICE, retrieved_ids, closest=closest_topics(all_hits))
            return
        if judgement.focus and judgement.focus_names:
            gaps = unanswered_asks(understood.text, [d.text for d in drafts], judgement.focus)
            if gaps:
                notices.append(asked_gap_notice(gaps))
        yield draft_answer(drafts)

    # --- internals ----------------------------------------------------------------------------

    def _llm_drafts(
        self,
        rewritten: str,
        audience: Audience,
        tier_hits: Mapping[Tier, Sequence[Hit]],
        draft_answer: Callable[..., Answer],
    ) -> Generator[Answer, None, list[Draft] | None]:
        """Drafts from the chat model (streamed), or None to fall back to the extractive composer."""
        from qa.llm import LLMError, llm_drafts_stream

        passages = [h for tier in tier_order(audience) for h in tier_hits.get(tier, ())]
        final: list[Draft] | None = None
        try:
            for partial in llm_drafts_stream(
                self.chat_model,
                rewritten,
                passages,
                audience,
                self.settings.composer.support_threshold,
                self.embedder,
            ):
                final = partial
                if partial:
                    yield draft_answer(partial, final=False)
        except LLMError:
            return None
        if not final or not any(not d.flagged for d in final):
            return None  # nothing the passages support: the extractive composer answers instead
        return final

    def _answer(
        self,
        question: str,
        rewritten: str,
        audience: Audience,
        retrieved_ids: Sequence[str],
        hits_by_id: Mapping[str, Hit],
        notices: Sequence[str],
        *,
        drafts: Sequence[Draft] = (),
        abstained: bool = False,
        emergency: bool = False,
        timings: dict[str, float],
        t0: float,
        closest: tuple[str, ...] = (),
        final: bool = True,
        query_rewrite: QueryRewrite | None = None,
    ) -> Answer:
        sections, citations = assemble(drafts, hits_by_id, audience) if drafts else ((), ())
        notices = [*notices, *conflict_notes(sections, citations)]
        settings_hash = self.settings.settings_hash()
        dates = [recency(c.chunk) for c in citations if recency(c.chunk)]
        timings = dict(timings)
        timings["total_ms"] = _ms(t0)
        answer = Answer(
            answer_id="",  # set below from the finished content (`answer_content_id`)
            question=question,
            rewritten_query=rewritten,
            audience=audience,
            abstained=abstained,
            emergency=emergency,
            sections=sections,
            citations=citations,
            disclaimer=disclaimer_for(audience),
            evidence_as_of=max(dates) if dates else None,
            corpus_hash=self.corpus_hash,
            settings_hash=settings_hash,
            timings_ms=timings,
            notices=tuple(notices),
            closest_topics=closest,
            query_rewrite=query_rewrite,
        )
        if final and sections:
            # the question as understood: filler words ("alright so ... dont") are not its topic
            understood_text = query_rewrite.text if query_rewrite is not None else rewritten
            drugs = (
                [m.name for m in query_rewrite.name_mappings if m.kind != "synonym"] if query_rewrite else []
            )
            # else a drug the label tier or the drug dictionary knows ("how to safely stop fluvoxamine
            # malate", "what is metformin used for"): not asked about as a condition
            drugs = drugs or question_names(self.understanding.names, query_rewrite).named(understood_text)
            dictionary = self.understanding.dictionary
            drugs = drugs or [w for w in tokens(understood_text) if dictionary.single_generic(w)]
            topic = extract_topic(understood_text, self.lexicon)
            follow_ups = suggest_follow_ups(answer, topic, drug=drugs[0] if drugs else "")
            answer = replace(answer, follow_ups=follow_ups)
        return replace(answer, answer_id=answer_content_id(answer))


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000.0, 2)
