"""Chat sessions: turns, follow-up rewriting and suggested follow-up questions.

A follow-up such as "what about in children?", "side effects?" or "how long until it works?" has no
topic of its own; it is rewritten with the conversation's topic (the main medical entity of the
last self-contained question) before retrieval, and the rewritten query is shown with the answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from medcite.types import Answer
from qa.compose import says_what_is_asked
from qa.expansion import Lexicon, find_phrases
from qa.textutil import STOPWORDS, tokens, words

# Words that say what is asked (intent, population, time) rather than what about.
_NON_TOPIC = STOPWORDS | set(
    words(
        """
        treatment treatments treat treated therapy therapies manage management dose doses dosage dosing
        side effects effect adverse risk risks symptoms symptom signs sign cause causes diagnosis
        diagnose diagnosed test tests prevent prevention cure options option alternatives alternative
        children child kids adults adult elderly pregnancy pregnant women men infants babies long work
        works working start until safe safety common best first line first-line recommended drug drugs
        medication medications medicine medicines monitoring monitor typical normal happen happens need
        needed help helps people patients patient someone does done
        doctor doctors give gave given prescribe prescribed purpose good why
        """
    )
)
_PRONOUN = re.compile(
    r"\b(?:it|its|it's|they|them|their|this|that|these|those|the drug|the medicine|the condition|"
    r"the disease|the treatment)\b",
    re.I,
)
_BARE_PRONOUN = re.compile(r"\b(?:it|its|it's|they|them|their)\b", re.I)
_WHAT_ABOUT = re.compile(r"^\s*(?:and\s+)?(?:what|how)\s+about\s+|^\s*and\s+", re.I)


@dataclass
class Turn:
    question: str
    rewritten: str
    topic: str
    answer: Answer | None = None


@dataclass
class Conversation:
    """A chat session's turns, newest last."""

    turns: list[Turn] = field(default_factory=list)

    @property
    def topic(self) -> str:
        for turn in reversed(self.turns):
            if turn.topic:
                return turn.topic
        return ""

    @property
    def last_rewritten(self) -> str:
        return self.turns[-1].rewritten if self.turns else ""

    def add(
        self,
        item: Answer | str,
        rewritten: str | None = None,
        answer: Answer | None = None,
        lexicon: Lexicon | None = None,
    ) -> Turn:
        """Record a turn: either an Answer (its question and rewritten query are used) or a question
        with its rewritten form."""
        if isinstance(item, Answer):
            answer = item
            question, rewritten = item.question, item.rewritten_query or item.question
        else:
            question = item
            rewritten = rewritten or item
        turn = Turn(question, rewritten, extract_topic(rewritten, lexicon), answer)
        self.turns.append(turn)
        return turn


def extract_topic(question: str, lexicon: Lexicon | None = None) -> str:
    """The main medical entity of a question: its longest lexicon phrase, else its topic words."""
    if lexicon is not None:
        phrases = [p for p in find_phrases(question, lexicon) if not set(p.split()) <= _NON_TOPIC]
        if phrases:
            return max(phrases, key=len)
    # nor a word that asks something of it ("how long will X last on the shelf", "what color is X", "how
    # do i wean off X"): "What about benzonatate last shelf in children?" was offered. Word by word: the
    # phrase "what strengths does valproic acid come in" holds the drug's name too.
    words = [
        w for w in tokens(question) if w not in _NON_TOPIC and not w.isdigit() and not says_what_is_asked(w)
    ]
    return " ".join(words[:4])


def is_follow_up(question: str, lexicon: Lexicon | None = None) -> bool:
    """A short question that leans on earlier turns: starts 'what about'/'and', uses a pronoun, or names
    no topic of its own."""
    if _WHAT_ABOUT.search(question):
        return True
    if len(tokens(question)) <= 8 and _BARE_PRONOUN.search(question):
        return True
    return not extract_topic(question, lexicon)


def rewrite_follow_up(
    question: str, conversation: Conversation | None, lexicon: Lexicon | None = None
) -> str:
    """The question made self-contained with the conversation's topic (unchanged when not a follow-up)."""
    question = question.strip()
    if conversation is None or not conversation.turns or not is_follow_up(question, lexicon):
        return question
    topic = conversation.topic
    if not topic:
        return question
    body = question.rstrip("?. ").strip()
    previous = conversation.last_rewritten
    if re.search(r"\btreat|\btherap", previous, re.I) and not re.search(r"\btreat|\btherap", body, re.I):
        topic = f"{topic} treatment"  # "side effects?" after a treatment question asks about the treatment
    m = _WHAT_ABOUT.search(body)
    if m:
        # "what about in children?" -> "<previous question> in children?"
        rest = body[m.end() :].strip()
        stem = previous.rstrip("?. ").strip()
        return f"{stem} {rest}?" if rest else f"{stem}?"
    if _PRONOUN.search(body):
        return _PRONOUN.sub(topic, body, count=1) + "?"
    return f"{body} of {topic}?" if len(body.split()) <= 3 else f"{body} ({topic})?"


_DRUGLIKE = re.compile(
    r"\b([A-Za-z]+(?:mab|nib|vir|cillin|mycin|cycline|statin|pril|sartan|olol|azole|dipine|prazole|oxacin|"
    r"parin|"
    r"gliptin|gliflozin|sone|olone|trexate|prine|phamide|limus|sporine))\b|\b(IVIG|corticosteroids?|"
    r"immunoglobulin)\b",
    re.I,
)


def main_drug(answer: Answer) -> str:
    """The drug named most often in the answer ('' when none)."""
    counts: dict[str, int] = {}
    for section in answer.sections:
        for st in (section.lead, *section.bullets):
            for m in _DRUGLIKE.finditer(st.text):
                name = (m.group(1) or m.group(2)).lower()
                name = "IVIG" if name == "ivig" else name
                counts[name] = counts.get(name, 0) + 1
    return max(sorted(counts), key=lambda k: counts[k]) if counts else ""


def suggest_follow_ups(answer: Answer, topic: str, n: int = 3, drug: str = "") -> tuple[str, ...]:
    """Up to n follow-up questions drawn from the answer's own content. `drug` is a drug the question
    named (a brand or generic name the label tier knows); when it is the topic, the topic is a drug,
    and questions for a condition ("the prognosis of ...") are not asked about it; nor are they about
    a topic that is the drug and the words asked of it ("safely stop fluvoxamine malate")."""
    if answer.abstained or not answer.sections:
        return ()
    groups = {b.group for s in answer.sections for b in s.bullets}
    if drug and f" {' '.join(tokens(drug))} " in f" {' '.join(tokens(topic))} ":
        topic = ""
    drug = main_drug(answer) or drug
    subject = drug or topic
    ideas: list[str] = []
    if drug:
        ideas.append(f"What is the usual dose of {drug}?")
        ideas.append(f"What are the side effects of {drug}?")
    if "Monitoring" in groups or drug:
        ideas.append(f"What monitoring is needed during treatment with {subject}?")
    if drug and topic:
        ideas.append(f"What are the alternatives to {drug} for {topic}?")
    if topic:
        ideas.append(f"What about {topic} in children?")
        ideas.append(f"What is the prognosis of {topic}?")
    if "Supportive care" in groups and topic:
        ideas.append(f"What supportive care helps with {topic}?")
    return tuple(dict.fromkeys(i for i in ideas if i.strip()))[:n]


def topic_of(questions: Sequence[str], lexicon: Lexicon | None = None) -> str:
    for q in reversed(questions):
        t = extract_topic(q, lexicon)
        if t:
            return t
    return ""
