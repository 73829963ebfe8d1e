"""The packaged drug dictionary's lookups (qa.drug_dictionary)."""

from __future__ import annotations

from qa.drug_dictionary import BrandDictionary


def test_names_drug_knows_brands_and_one_word_generics() -> None:
    d = BrandDictionary({"tylenol": "acetaminophen", "triumeq": "abacavir, dolutegravir, and lamivudine"})
    assert d.names_drug("Tylenol") and d.names_drug("acetaminophen")
    assert not d.names_drug("abacavir, dolutegravir, and lamivudine") and not d.names_drug("brand")
