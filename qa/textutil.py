"""Small shared text helpers for the answer engine: tokens, stop words, sentence splitting."""

from __future__ import annotations

import re
from functools import lru_cache

from corpus.sentences import mark_sentence_breaks, segment
from medcite.stemming import stem

_TOKEN = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")


def words(text: str) -> list[str]:
    """Whitespace-separated words of a word-list literal."""
    return text.split()


# Function words plus question scaffolding; they carry no topic.
STOPWORDS = frozenset(
    words(
        """
        a about above after again against all am an and any are as at be because been before being below
            between both but by can could did do does doing down during each few for from further had has
            have having he her here hers him his how i if in into is it its itself just me more most my no
            nor not now of off on once only or other our out over own same she should so some such than that
            the their them then there these they this those through to too under until up very was we were
            what when where which while who whom why will with would you your yours also may might must
            shall whether etc vs versus use used using usual usually tell know please much many get getting
            take taking make like best someone somebody anyone anybody everyone everybody something
            anything everything nothing nobody
        """
    )
)
# How people write in a chat box: contractions with or without the apostrophe ("i dont know what
# inhaler to use plz help" was about "dont"), greetings and thanks, and shorthand. None names a topic;
# words they could be mistaken for ("ill", "well", "id", "shell") are not among them.
_CONTRACTIONS = words(
    """
    don't doesn't didn't isn't aren't wasn't weren't can't cannot couldn't wouldn't shouldn't won't
    haven't hasn't hadn't mustn't i'm i've i'd i'll you're you've you'd you'll he's she's it's we're
    we've we'd we'll they're they've they'd they'll that's there's what's who's where's how's let's
    """
)
_APOSTROPHE_LESS = words(
    """
    dont doesnt didnt isnt arent wasnt werent cant couldnt wouldnt shouldnt wont havent hasnt hadnt
    im ive youre youve theyre theyve thats theres whats whos wheres hows lets
    """
)
CHAT_WORDS = frozenset(
    [*_CONTRACTIONS, *(c.replace("'", "’") for c in _CONTRACTIONS), *_APOSTROPHE_LESS]
    + words(
        """
        ok okay hi hello hey dear thanks thank thx thanx plz pls lol btw idk imo fyi u ur ya yeah yes yep
        donno dunno gonna wanna gotta kinda sorta
        """
    )
)
STOPWORDS = STOPWORDS | CHAT_WORDS

# Drug names by their INN stems (WHO stem book families): what the verbatim and conflict checks look for.
DRUG_NAME = re.compile(
    r"\b[a-z]{2,}(?:mab|nib|vir|cillin|mycin|micin|cycline|statin|pril|sartan|olol|azole|dipine|prazole|"
    r"oxacin|parin|xaban|gatran|gliptin|gliflozin|glutide|sone|olone|trexate|prine|phamide|limus|sporine|"
    r"oxetine|triptan|setron|dronate|lukast|afil|caine|profen|semide|thiazide|zepam|zolam|platin|rubicin|"
    r"taxel|formin)\b",
    re.I,
)

CITATION_MARK = re.compile(r"\s*\[\d+(?:\s*[,–-]\s*\d+)*\]")


def fold(token: str) -> str:
    """Stem of a token (Snowball, the stemmer BM25 uses) so 'treatments'/'treatment' match."""
    return stem(token)


def tokens(text: str) -> list[str]:
    """Lowercase word tokens."""
    return _TOKEN.findall(text.lower())


def content_terms(text: str) -> list[str]:
    """Folded non-stop-word tokens, in order, without duplicates."""
    seen: dict[str, None] = {}
    for tok in tokens(text):
        if tok not in STOPWORDS and len(tok) > 1:
            seen.setdefault(fold(tok), None)
    return list(seen)


def term_set(text: str) -> frozenset[str]:
    return frozenset(content_terms(text))


def split_sentences(text: str) -> list[str]:
    """Sentence split that survives 'mg/kg/day', 'e.g.', 'vs.' (pysbd rules); a glued abstract label
    ("registry.RESULTS: In 22 ...") or run-on ("therapy.RIX is") is a boundary, the label dropped."""
    return list(_split_sentences_cached(text))


# The same retrieved passages are split again for every question that retrieves them, and pysbd costs
# ~5 ms a passage: caching (a pure function of the text) roughly halves answer time under load (issue 9).
@lru_cache(maxsize=8192)
def _split_sentences_cached(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for block in re.split(r"\n\s*\n|\n(?=[-•*]\s)", mark_sentence_breaks(text)):
        block = " ".join(block.split())
        if block:
            out.extend(segment(block))
    return tuple(out)


# A numbered heading line of a label list ("3. Collagen Diseases") and a list item (a short line that
# is not a sentence: no full stop, few words).
_LIST_HEADING = re.compile(r"^\d{1,2}\.\s+([A-Z][A-Za-z ,/&()-]{2,60})$")
_ITEM_MAX_WORDS = 12


def list_item_sentences(text: str) -> list[str]:
    """Items of a line-per-item list, each with the lead-in line that introduces it (and the numbered
    heading above that, if any), as one sentence of the passage's own words: the FDA label's
    "3. Collagen Diseases / During an exacerbation or as maintenance therapy in selected cases of: /
    Systemic dermatomyositis (polymyositis)" gives "Collagen Diseases: during an exacerbation or as
    maintenance therapy in selected cases of Systemic dermatomyositis (polymyositis)."  Sentence
    splitting joins such lines into one unusable run-on, so without this a label's indications
    list contributes nothing."""
    out: list[str] = []
    heading: str | None = None
    lead: str | None = None
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if not line:
            continue
        m = _LIST_HEADING.match(line)
        if m:
            heading, lead = m.group(1).strip(), None
        elif line.endswith(":") and len(line.split()) > 2:
            lead = line[:-1].strip()
        elif lead and len(line.split()) <= _ITEM_MAX_WORDS and not line.endswith((".", ";", "?", "!")):
            intro = f"{heading}: {lead[:1].lower()}{lead[1:]}" if heading else lead
            out.append(f"{intro} {line}.")
        else:
            lead = None  # prose ends the list
    return out


# A label's Highlights list of what the drug is for, run into one line with the full section's
# cross-references: "Celecoxib is a nonsteroidal anti-inflammatory drug indicated for: • Osteoarthritis
# (OA) ( 1.1 ) • Rheumatoid Arthritis (RA) ( 1.2 ) • ...". Sentence splitting leaves it a run-on that
# goes on into the full section ("... ( 1.6 ) 1.1 Osteoarthritis (OA) For the management of ..."),
# which no answer can show.
_SECTION_REFERENCE = r"\(\s*\d{1,2}(?:\.\d{1,2})?(?:\s*,\s*\d{1,2}(?:\.\d{1,2})?)*\s*\)"
_NAME_WORD = r"(?!(?:INDICATIONS|AND|USAGE)\b)[A-Z][\w-]*"  # the drug's name, not the section's heading
_INDICATED_FOR = re.compile(
    rf"(?<![\w-]){_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}}\s*[®™]?\s+(?:is|are)\s+(?:an?\s+[^.:•;]{{3,120}}?\s+)?"
    r"indicated\s+(?:for|in|as)\b[^.:•;]{0,80}?:\s*"
)
_INDICATION_ITEM = re.compile(rf"\s*•?\s*(?P<item>[A-Z][^•]{{2,200}}?)\s*{_SECTION_REFERENCE}")
# Where the list has ended: the full section's numbered heading, or its limits ("Limitations of Use:
# ...", "Select patients for therapy based on ..."), which are no use the drug is for.
_LIST_ENDED = re.compile(r"\b\d{1,2}\.\d{1,2}\s+[A-Z]|^(?:Limitations?|Important|Select patients)\b")


def indication_list_sentences(text: str) -> list[str]:
    """A label's Highlights list of indications as one sentence of its own words, the cross-references
    dropped and the items joined by semicolons: "Celecoxib is a nonsteroidal anti-inflammatory drug
    indicated for: Osteoarthritis (OA); Rheumatoid Arthritis (RA); ...; Primary Dysmenorrhea (PD)."
    An item's first sentence only ("Treatment-resistant schizophrenia. Efficacy was established ...");
    lists of fewer than two items are left to sentence splitting."""
    out: list[str] = []
    for lead in _INDICATED_FOR.finditer(text):
        items: list[str] = []
        at = lead.end()
        while (m := _INDICATION_ITEM.match(text, at)) is not None:
            item = re.split(r"(?<=[a-z)])\.\s+(?=[A-Z])", m.group("item").strip(), maxsplit=1)[0]
            if _LIST_ENDED.search(item) or "indicated" in item:
                break  # the list is over, or another lead-in of the same list follows
            items.append(item.rstrip(" .;,"))
            at = m.end()
        if len(items) >= 2:
            out.append(f"{lead.group(0).strip()} {'; '.join(items)}.")
    return out


def strip_citations(text: str) -> str:
    return CITATION_MARK.sub("", text)


# "(RIX)", "(IVIg)", "(CLS-TA)": a short form in brackets with at least two capitals.
_SHORT_FORM = re.compile(r"\(([A-Za-z][A-Za-z0-9-]{1,9})\)")


def _long_form(short: str, before: str) -> str | None:
    """The long form that `short` abbreviates at the end of `before` (Schwartz & Hearst 2003): every
    letter or digit of the short form occurs, in order, in the long form, the first at the start of a
    word; the shortest such tail of `before` is the long form."""
    s, text = short.lower(), before.lower()
    si, li = len(s) - 1, len(text) - 1
    while si >= 0:
        c = s[si]
        if not c.isalnum():
            si -= 1
            continue
        while li >= 0 and (text[li] != c or (si == 0 and li > 0 and text[li - 1].isalnum())):
            li -= 1
        if li < 0:
            return None
        li -= 1
        si -= 1
    start = max(text.rfind(" ", 0, li + 1), text.rfind("(", 0, li + 1)) + 1
    found = before[start:].strip(" ,;:")
    return found if len(found) > len(short) + 1 and "(" not in found else None


@lru_cache(maxsize=4096)
def abbreviations(passage: str) -> dict[str, str]:
    """Short forms the passage defines ("rituximab (RIX)") -> their long forms, first definition kept."""
    out: dict[str, str] = {}
    for m in _SHORT_FORM.finditer(passage):
        short = m.group(1)
        if sum(ch.isupper() for ch in short) < 2 or short in out:
            continue
        words_before = passage[: m.start()].split()[-min(len(short) + 5, 2 * len(short)) :]
        long = _long_form(short, " ".join(words_before))
        if long is None:
            continue
        at = passage.rfind(long, 0, m.start())
        first = long.split(" ", 1)[0]
        if re.search(r"(?:^|[.!?:]\s*)$", passage[: max(at, 0)]) and first[1:].islower():
            long = long[0].lower() + long[1:]  # capitalised only because it starts a sentence
        out[short] = long
    return out


def expand_abbreviations(sentence: str, passage: str) -> str:
    """Spell out, on first use, a short form the sentence uses but the passage defined elsewhere
    ("RIX is the preferred ..." -> "rituximab (RIX) is the preferred ..."): a sentence read on its own
    loses the definition.  The long form is the passage's own words, so the verbatim check holds."""
    for short, long in abbreviations(passage).items():
        m = re.search(rf"(?<![\w(-]){re.escape(short)}(?![\w)-])", sentence)
        if m is None or long.lower() in sentence.lower():
            continue
        spelled = long[0].upper() + long[1:] if m.start() == 0 else long
        sentence = f"{sentence[: m.start()]}{spelled} ({short}){sentence[m.end() :]}"
    return sentence
