"""The packaged drug dictionary's lookups (qa.drug_dictionary)."""

from __future__ import annotations

from qa.drug_dictionary import BrandDictionary


def test_is_generic_knows_one_word_generics_only() -> None:
    d = BrandDictionary(
        {
            "tylenol": "acetaminophen",
            "marijuana": "medical cannabis",
            "triumeq": "abacavir, dolutegravir, and lamivudine",
        }
    )
    assert d.is_generic("acetaminophen") and d.is_generic("Acetaminophen")
    # a brand is no generic (some are everyday words), nor are a combination and a two-word name
    assert not d.is_generic("tylenol") and not d.is_generic("marijuana") and not d.is_generic("brand")
    assert not d.is_generic("abacavir, dolutegravir, and lamivudine") and not d.is_generic("medical cannabis")
