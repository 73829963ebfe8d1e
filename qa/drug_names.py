"""Brand and generic drug names from the label tier's own fields (issue 16).

"Tell me about Lexapro" should find the escitalopram label and the research that says escitalopram;
"escitalopram" should find the label that says "Lexapro is indicated for". The pairs come from what
the readers already keep for every label, so an index built by today's readers has them:

- openFDA: `meta.brand_name` + `meta.drug_name` (its generic name), title "LIPITOR (atorvastatin calcium)";
- SPL: `meta.product_name` + `meta.drug_name` (the generic medicine's name when the label has one),
  title "HUMIRA (adalimumab) injection, for subcutaneous use";
- any label title of the form "BRAND® (generic) ..." (the fallback for other sources).

FDARxBench passages name one drug only and give no pair.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from medcite.types import NameMapping
from qa.spelling import english_words
from qa.textutil import DRUG_NAME, STOPWORDS, tokens, words

# Salt, ester and release-form words after a generic name: "atorvastatin calcium" is searched as
# "atorvastatin" (the word passages and people use), "escitalopram oxalate" as "escitalopram".
SALT_WORDS = frozenset(
    words(
        """
    hydrochloride hcl dihydrochloride hydrobromide hbr sodium potassium calcium magnesium sulfate sulphate
    oxalate maleate mesylate besylate tartrate bitartrate citrate phosphate acetate succinate fumarate
    bromide chloride nitrate lactate gluconate malate tosylate monohydrate dihydrate trihydrate anhydrous
    axetil hyclate medoxomil mofetil tromethamine propionate dipropionate acetonide furoate valerate
    pivoxil decanoate cypionate enanthate pamoate
    er xr dr sr xl cr la extended delayed release tablets tablet capsules capsule injection oral
    """
    )
)
# Units of a strength ("oxycodone 15 mg hcl", "how many mgs of colchicine"): they say how much, not
# of what.
STRENGTH_UNITS = frozenset(
    words("mg mgs mcg mcgs g ml mls milligram milligrams microgram micrograms meq units iu cc")
)
# A brand of more words than this is a product description ("Mens rogaine Minoxidil - Unscented").
MAX_BRAND_WORDS = 3
# Brands added for one generic name (a generic can have many labels; the first few suffice).
MAX_BRANDS = 3

# "LIPITOR® (atorvastatin calcium) tablets" / "Lexapro (escitalopram)".
_TITLE_PAIR = re.compile(r"^\s*([A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*){0,2})\s*[®™]?\s*\(([^()]{3,80})\)")


_INGREDIENTS = re.compile(r",|/|\+|\band\b", re.I)


def _core(ingredient: str) -> str:
    core = tokens(ingredient)
    while len(core) > 1 and core[-1] in SALT_WORDS:
        core.pop()
    return " ".join(core)


def generic_core(generic: str) -> str:
    """'Atorvastatin Calcium' -> 'atorvastatin'; 'Diphenhydramine HCl, Phenylephrine HCl' ->
    'diphenhydramine, phenylephrine'; a name that is all salt words stays whole."""
    parts = [c for c in (_core(p) for p in _INGREDIENTS.split(generic)) if c]
    return ", ".join(dict.fromkeys(parts))


def salt_suffixes(text: str) -> frozenset[str]:
    """The salt, ester and form words of a text that follow another word, as a drug's name carries
    them ("fluvoxamine malate", "enoxaparin sodium", "oxycodone 15 milligram hcl"): they say which
    form of the drug, not what the text is about. A salt word after an English word ("take calcium
    with ...") or after a salt word ("potassium chloride") names something of its own and is not one."""
    out: set[str] = set()
    before = ""
    for word in tokens(text):
        if word in SALT_WORDS and before and before not in SALT_WORDS and before not in english_words():
            out.add(word)
        if not any(c.isdigit() for c in word) and word not in STRENGTH_UNITS:
            before = word  # "oxycodone 15 milligram hcl": the strength stands between name and salt
    return frozenset(out)


def brand_display(brand: str) -> str:
    """'LIPITOR' -> 'Lipitor'; mixed case as written."""
    brand = " ".join(brand.replace("®", " ").replace("™", " ").split())
    return brand.title() if brand.isupper() else brand


def _is_brand(brand: str, generic: str) -> bool:
    b, g = " ".join(tokens(brand)), " ".join(tokens(generic))
    parts = b.split()
    return (
        bool(parts)
        and len(parts) <= MAX_BRAND_WORDS
        and len(b) >= 4
        and b != g
        and generic_core(b) != generic_core(g)
        and g not in b  # "Atorvastatin calcium tablets" is the generic again
        and not all(w in STOPWORDS for w in parts)
    )


def label_name_pairs(title: str, meta: Mapping[str, object]) -> list[tuple[str, str]]:
    """(brand, generic) pairs one drug label gives, from its metadata and its title."""
    pairs: list[tuple[str, str]] = []
    generic = str(meta.get("drug_name") or "")
    for key in ("brand_name", "product_name"):
        brand = str(meta.get(key) or "")
        if brand and generic and _is_brand(brand, generic):
            pairs.append((brand, generic))
    m = _TITLE_PAIR.match(title)
    if m and _is_brand(m.group(1), m.group(2)):
        pairs.append((m.group(1), m.group(2)))
    return pairs


@dataclass(frozen=True)
class DrugNames:
    """Normalised brand -> generic names, normalised generic -> brand names (as displayed)."""

    brand_to_generic: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    generic_to_brand: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # generic names of labels that give no brand ("Metformin Hydrochloride Tablets, USP"): no other
    # name to add to a search, but a drug the label tier has
    generics: frozenset[str] = frozenset()

    def __len__(self) -> int:
        return len(self.brand_to_generic)

    def words(self) -> frozenset[str]:
        """Every word of every name (the speller's dictionary knows them as written)."""
        out: set[str] = set()
        for brand, generics in self.brand_to_generic.items():
            out.update(brand.split())
            for g in generics:
                out.update(tokens(g))
        for g in self.generics:
            out.update(g.split())
        return frozenset(out)

    def with_brands(self, pairs: Iterable[tuple[str, str]]) -> DrugNames:
        """These names and more (brand, generic) pairs, for brands these names do not have."""
        more = {
            key: (generic,)
            for brand, generic in pairs
            if (key := " ".join(tokens(brand))) and key not in self.brand_to_generic
        }
        return replace(self, brand_to_generic={**self.brand_to_generic, **more}) if more else self

    def names_a_drug(self, text: str) -> bool:
        """Whether the text names a drug of the label tier (brand or generic, up to three words)."""
        toks = tokens(text)
        phrases = (" ".join(toks[i : i + n]) for n in (1, 2, 3) for i in range(len(toks) - n + 1))
        return any(self._is_name(p) for p in phrases)

    def _is_name(self, phrase: str) -> bool:
        return phrase in self.brand_to_generic or phrase in self.generic_to_brand or phrase in self.generics

    def named(self, text: str) -> list[str]:
        """The drug names (normalised, brand or generic) a text uses, longest match first, in order."""
        toks = tokens(text)
        every = (*self.brand_to_generic, *self.generic_to_brand, *self.generics)
        longest = max((n.count(" ") + 1 for n in every), default=0)
        out: list[str] = []
        i = 0
        while i < len(toks):
            for n in range(min(longest, len(toks) - i), 0, -1):
                phrase = " ".join(toks[i : i + n])
                if self._is_name(phrase):
                    out.append(phrase)
                    i += n
                    break
            else:
                i += 1
        return out

    def other_names(self, name: str) -> tuple[str, ...]:
        """A named drug's other names, lower case: a brand's generics, a generic's brands."""
        others = [
            *self.brand_to_generic.get(name, ()),
            *(b.lower() for b in self.generic_to_brand.get(name, ())),
        ]
        return tuple(dict.fromkeys(o for o in others if o != name))

    def mappings(self, text: str) -> tuple[NameMapping, ...]:
        """The other names of the drugs a text names, longest name first, each name once."""
        present = f" {' '.join(tokens(text))} "
        out: list[NameMapping] = []
        for phrase in self.named(text):
            typed = as_typed(phrase, text)
            out.extend(
                NameMapping(typed, g, "brand->generic")
                for g in self.brand_to_generic.get(phrase, ())
                if f" {g} " not in present
            )
            out.extend(
                NameMapping(typed, b, "generic->brand")
                for b in self.generic_to_brand.get(phrase, ())
                if f" {b.lower()} " not in present
            )
        return tuple(dict.fromkeys(out))


# How passages introduce a medicine by both its names, the brand capitalised: "temazepam (Restoril,
# Halcion)", "Topiramate (Topamax, Topiragen)", "Restoril® (temazepam) 15 mg" (the generic in lower
# case, or "Pregabalin (Lyrica)" would name a brand "Pregabalin").
_GENERIC_THEN_BRANDS = re.compile(r"\b([A-Za-z][a-z-]{4,})\s*\(([^()]{1,80})\)")
_BRAND_THEN_GENERIC = re.compile(r"\b([A-Z][A-Za-z-]{3,}\s*[®™]?)\s*\(\s*([a-z][a-z-]{4,})\b")
_WRITTEN_NAME = re.compile(r"([A-Za-z][A-Za-z-]*)\s*([®™]?)")
_ITEM_BREAK = re.compile(r"[,;/]|\bor\b|\band\b")
# The end of what comes before a generic that is one part of a combination ("naltrexone/", "and ").
_COMBINED = re.compile(r"(?:\w\s*[/+]|\w-|\band|\bwith)\s*$", re.I)
# ... and what follows the first of several ("Triumeq (abacavir, dolutegravir and lamivudine)").
_MORE_PARTS = re.compile(r"\s*(?:[,/+]|and\b|with\b)", re.I)


def _unknown_word(word: str) -> bool:
    """Five letters or more, in no English dictionary: what a drug's name looks like."""
    return len(word) >= 5 and word not in english_words() and word not in STOPWORDS


def _generic_word(word: str) -> bool:
    """A word that can be a generic name, not a plural (a class, "benzodiazepines", is not the
    medicine's other name)."""
    return _unknown_word(word) and not word.endswith("s")


def _names_brand(written: str, brand: str) -> bool:
    """Whether a passage writes `brand` as a trade name: "Restoril", or in capitals with a trade mark
    ("XANAX ®"); not "PfSPZ" or a bare "MPNST" (gene, trial and regimen names are written so)."""
    m = _WRITTEN_NAME.match(written.strip())
    if m is None or m.group(1).lower() != brand:
        return False
    name = m.group(1)
    return name[:1].isupper() and (name[1:].islower() or (name.isupper() and bool(m.group(2))))


def generics_given(brand: str, passages: Iterable[str]) -> list[str]:
    """The generic names the passages give a brand ("restoril" -> ["temazepam"]), most often given
    first: in "generic (Brand, Other)" or "Brand (generic)" with the brand written as a trade name
    and the generic one word in lower case. Brands the label tier never names are often introduced
    so by guidelines and abstracts."""
    brand = brand.lower()
    passages = list(passages)
    if written_in_lower_case(brand, passages):
        return []  # as generic names are ("phentermine"), not as a brand is
    found: Counter[str] = Counter()
    for text in passages:
        for m in _GENERIC_THEN_BRANDS.finditer(text):
            if _COMBINED.search(text, max(0, m.start() - 8), m.start()):
                continue  # "dutasteride and tamsulosin (Jalyn)": a brand of both, not of tamsulosin
            if any(_names_brand(item, brand) for item in _ITEM_BREAK.split(m.group(2))):
                found[m.group(1).lower()] += 1
        for m in _BRAND_THEN_GENERIC.finditer(text):
            if _names_brand(m.group(1), brand) and not _MORE_PARTS.match(text, m.end()):
                found[m.group(2)] += 1
    return [g for g, _ in found.most_common() if g != brand and g.isalpha() and _generic_word(g)]


def written_in_lower_case(word: str, passages: Iterable[str]) -> bool:
    """Whether any passage writes the word in lower case, as a generic name or an everyday word is
    written ("phentermine", "sits"), not as a brand is ("Restoril", "XANAX")."""
    lower = re.compile(rf"(?<![\w-]){re.escape(word.lower())}(?![\w-])")
    return any(lower.search(text) for text in passages)


def brand_candidates(text: str, names: DrugNames) -> list[str]:
    """The words of a question that may be a brand whose generic the label tier does not give: five
    letters or more, no stopword, no name with another name already (a label titled "Lyrica" alone
    gives none) and no generic name by its INN stem (WHO keeps stems out of brand names:
    "liraglutide" is a generic), in order, each once. English words are candidates too ("valium",
    "tylenol" are in the English dictionary); `qa.understanding` asks more of them."""
    return list(
        dict.fromkeys(
            t
            for t in tokens(text)
            if t.isalpha()
            and len(t) >= 5
            and t not in STOPWORDS
            and not names.other_names(t)
            and not DRUG_NAME.fullmatch(t)
        )
    )


def as_typed(phrase: str, text: str) -> str:
    """The phrase as the text writes it ("Lexapro" for "lexapro")."""
    m = re.search(r"\W+".join(re.escape(w) for w in phrase.split()), text, re.I)
    return m.group(0) if m else phrase


def build_drug_names(pairs: Iterable[tuple[str, str]], generics: Iterable[str] = ()) -> DrugNames:
    """From (brand, generic) pairs as the labels write them, and the generic names of labels (those
    without a brand are names too)."""
    b2g: dict[str, list[str]] = {}
    g2b: dict[str, list[str]] = {}
    for brand, generic in pairs:
        key, core = " ".join(tokens(brand)), generic_core(generic)
        if not key or not core:
            continue
        b2g.setdefault(key, [])
        if core not in b2g[key]:
            b2g[key].append(core)
        # A combination product ("diphenhydramine, phenylephrine") is not a brand of either part.
        if "," not in core:
            shown = brand_display(brand)
            names = g2b.setdefault(core, [])
            if shown.lower() not in (n.lower() for n in names) and len(names) < MAX_BRANDS:
                names.append(shown)
    # A name that is some label's generic is not a brand of another ("Haloperidol" product names).
    brands = {b: tuple(g) for b, g in b2g.items() if b not in g2b}
    brands |= _first_words(brands, g2b)
    cores = {generic_core(g) for g in generics}
    alone = frozenset(c for c in cores if c and "," not in c and c not in g2b and c not in brands)
    return DrugNames(brands, {g: tuple(b) for g, b in g2b.items()}, alone)


# A brand's first word names it alone from this many letters ("Spiriva" for "Spiriva Respimat").
MIN_FIRST_WORD = 5


def _first_words(
    brands: Mapping[str, tuple[str, ...]], generics: Mapping[str, object]
) -> dict[str, tuple[str, ...]]:
    """Brands of several words by their first word, as people ask for them ("how does spiriva work":
    the label is "Spiriva Respimat", "Depakote ER", "Protonix Delayed-Release"): a word of at least
    `MIN_FIRST_WORD` letters that no English dictionary has, is no name already, and starts no brand of
    another generic."""
    by_first: dict[str, set[tuple[str, ...]]] = {}
    for brand, generic in brands.items():
        first = brand.split()[0]
        if " " in brand and first.isalpha() and len(first) >= MIN_FIRST_WORD:
            by_first.setdefault(first, set()).add(generic)
    return {
        first: next(iter(found))
        for first, found in by_first.items()
        if len(found) == 1
        and first not in brands
        and first not in generics
        and first not in STOPWORDS
        and first not in english_words()
        and not any(first in g.split() for gs in brands.values() for g in gs)
    }


def drug_names_from_records(records: Iterable[tuple[str, Mapping[str, object]]]) -> DrugNames:
    """From (title, meta) of drug-label documents."""
    records = list(records)
    pairs = [pair for title, meta in records for pair in label_name_pairs(title, meta)]
    return build_drug_names(pairs, (str(meta.get("drug_name") or "") for _, meta in records))
