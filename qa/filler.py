"""Conversational filler removed before keyword scoring (issue 16).

People write "Alright so I dont know much about Lexapro would you tell me more about it?"; BM25 then
scores "alright", "dont" and "tell" like topic words and finds a palliative-care guideline. The
phrases below are what a chat adds around a question: greetings, thanks, hedges and requests to be
told. None of them holds a medical word, so removing them never removes the topic; the question as
asked is kept for display.

Every phrase is matched case-insensitively on word boundaries. `LEADING` phrases are filler only at
the start of the question (or of a sentence in it): "so" or "well" inside a question carry meaning
("so that", "as well as").
"""

from __future__ import annotations

import re

from qa.textutil import STOPWORDS, tokens

# Anywhere in the question. Optional words in (?:...)? groups; "don't" also as "dont" / "do not".
_ANYWHERE: tuple[str, ...] = (
    # hedges about what the asker knows
    r"i (?:really )?(?:don'?t|do not) (?:know|understand) (?:much|a lot|anything) about",
    r"i (?:don'?t|do not) know (?:much|a lot)",
    r"i(?:'m| am) (?:just )?(?:curious|wondering) (?:about|if|whether)",
    r"i was (?:just )?wondering (?:about|if|whether)",
    r"just curious",
    r"quick question",
    r"i have a (?:quick )?question(?: about| on| regarding)?",
    r"my question is",
    # requests to be told (the topic stays: "tell me about X" -> "X")
    r"(?:would|could|can|will) you (?:please )?(?:tell|explain to|give) me (?:a (?:bit|little) )?(?:more )?"
    r"(?:about|on|regarding) (?:it|this|that|them)",
    r"(?:would|could|can|will) you (?:please )?(?:tell|explain to|give) me (?:a (?:bit|little) )?(?:more )?"
    r"(?:information )?(?:about|on|regarding)",
    r"(?:would|could|can|will) you (?:please )?(?:tell me|explain|let me know)",
    r"(?:please )?tell me (?:a (?:bit|little) )?(?:more )?(?:about|on)",
    r"i (?:would like|want|wanted|need) to (?:know|ask|understand)(?: more)?(?: about)?",
    r"(?:can|could|may) i ask(?: you)?",
    r"(?:can|could|would) you (?:please )?help me(?: understand)?",
    r"(?:can|could) you please",
    r"(?:any|your) (?:thoughts|advice|input|opinions?|ideas) (?:on|about|regarding)",
    r"what (?:do|would) you think (?:about|of)",
    r"(?:any|all) (?:help|advice|information|info) (?:would be|is) (?:greatly |much |really )?appreciated",
    # thanks and sign-offs
    r"thank you(?: (?:so|very) much)?(?: in advance)?",
    r"thanks(?: (?:so|very) much| a lot)?(?: in advance)?",
    r"thx",
    r"please",
)

# Only at the start of the question or of one of its sentences.
_LEADING: tuple[str, ...] = (
    r"(?:hi|hello|hey|dear|good (?:morning|afternoon|evening))(?: (?:there|doctor|doc|dr|all|everyone))?",
    r"(?:al)?right(?: so)?",
    r"all right(?: so)?",
    r"ok(?:ay)?(?: so)?",
    r"so(?! (?:that|much|many|far|long))",  # "so that ..." is a clause, not a filler
    r"well(?! (?:being|known))",
    r"um+|uh+|hmm+|erm",
    r"also",
    r"and also",
    r"actually",
    r"basically",
    r"anyway",
)

# Everyday idioms whose words would be read as topic words: "get rid of scabies" made "rid" (a lice
# shampoo's brand, rare in the corpus) the question's focus. Replaced by the word a source uses.
_IDIOMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:get|getting|got|gets) rid of\b", re.I), "treat"),
)

_ANYWHERE_RE = re.compile(r"\b(?:" + "|".join(_ANYWHERE) + r")\b[,!.]*", re.I)
# A leading phrase, then optional punctuation, at the start or after a sentence end.
_LEADING_RE = re.compile(r"(?:^|(?<=[.!?;]))\s*(?:" + "|".join(_LEADING) + r")\b[,!.]*(?=\s|$)", re.I)
_SPACES = re.compile(r"\s+")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?])")
_LEADING_PUNCT = re.compile(r"^[\s,.;:!-]+")


def strip_filler(question: str) -> str:
    """The question without conversational filler and with everyday idioms in plain words ("get rid
    of" -> "treat"); the question itself when nothing of substance would be left (a bare "thanks!"
    stays as typed)."""
    text = _ANYWHERE_RE.sub(" ", question)
    for idiom, plain in _IDIOMS:
        text = idiom.sub(plain, text)
    previous = None
    while previous != text:  # "Hi, so, also what ..." peels one leading phrase at a time
        previous = text
        text = _LEADING_RE.sub(" ", text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", _SPACES.sub(" ", text))
    text = _LEADING_PUNCT.sub("", text).strip()
    if not any(t not in STOPWORDS for t in tokens(text)):
        return question.strip()
    return text[:1].upper() + text[1:] if text[:1].islower() and question.strip()[:1].isupper() else text
