"""Plain language, shorter sentences, disclaimers and reading grade."""

from __future__ import annotations

from medcite.settings import ComposerSettings
from medcite.types import Tier
from qa.audience import (
    CLINICIAN_DISCLAIMER,
    PATIENT_DISCLAIMER,
    adapt_drafts,
    disclaimer_for,
    plain_language,
    reading_grade,
    split_long,
)
from qa.drafts import Draft

JARGON = (
    "Patients with hypertension were administered corticosteroids intravenously; adverse events were rare "
    "in those with chronic renal impairment who subsequently discontinued therapy."
)


def test_plain_language_swaps_and_keeps_capitals() -> None:
    out = plain_language("Hypertension and myocardial infarction; corticosteroids given orally.")
    assert out == "High blood pressure and heart attack; steroid medicines given by mouth."
    assert plain_language("Physicians recommended additional doses in combination with metformin.") == (
        "Doctors advised extra doses together with metformin."
    )
    assert plain_language("Plasma concentrations are eliminated immediately.") == (
        "Plasma levels are removed right away."
    )
    # a noun swaps for a noun, so the sentence around it still reads
    assert plain_language("Inducers may lead to compromised efficacy of diclofenac.") == (
        "Inducers may lead to compromised effect of diclofenac."
    )
    assert plain_language("These tablets are contraindicated in patients with gout.") == (
        "These tablets should not be used in patients with gout."
    )
    assert plain_language("Contraindicated in pregnancy.") == "Not to be used in pregnancy."
    # drug-label words a patient meets on interactions and side effects
    assert plain_language(
        "Concomitant use of clonidine with a beta-blocker may cause syncope and bradycardia in the elderly."
    ) == (
        "Combined use of clonidine with a beta-blocker may cause fainting and slow heartbeat in older people."
    )
    assert plain_language("Use caution where there is concomitant use of drugs that prolong QT.") == (
        "Use caution where there is combined use of drugs that prolong QT."
    )
    assert plain_language("Hypersensitivity reactions and gastrointestinal bleeding; reduce the dosage.") == (
        "Allergic reactions and digestive bleeding; reduce the dose."
    )
    # a route before its noun stays an adjective: "of through a vein methylprednisolone" did not read
    assert plain_language("Give by direct intravenous injection or infuse it intravenously.") == (
        "Give by direct IV injection or infuse it through a vein."
    )
    assert plain_language("Rapid intravenous (IV) fentanyl can produce chest wall rigidity.") == (
        "Rapid IV fentanyl can produce chest wall rigidity."
    )
    assert plain_language(
        "A subcutaneous injection or an intramuscular injection of intravenous methylene blue."
    ) == ("A shot under the skin or an injection into a muscle of IV methylene blue.")
    # a source that explains its own jargon keeps one copy: "fewer side effects (side effects)" did not read
    assert plain_language("There were fewer adverse events (side effects) with azithromycin.") == (
        "There were fewer side effects with azithromycin."
    )
    assert plain_language("Adverse events (side effects) were rare; adverse events (rash) were mild.") == (
        "Side effects were rare; side effects (rash) were mild."
    )


def test_plain_language_leaves_names_alone() -> None:
    # a capitalised word inside a sentence, or at the start of a run of them, belongs to a name
    assert plain_language("This guide was approved by the U.S. Food and Drug Administration.") == (
        "This guide was approved by the U.S. Food and Drug Administration."
    )
    assert plain_language("Adults with Acute Myeloid Leukemia. Acute pain is common.") == (
        "Adults with Acute Myeloid Leukemia. Sudden pain is common."
    )
    assert plain_language("Chronic Kidney Disease Foundation advises rest.") == (
        "Chronic Kidney Disease Foundation advises rest."
    )
    assert plain_language("Chronic pain was treated; Chronic fatigue was not.") == (
        "Long-lasting pain was treated; Long-lasting tiredness was not."
    )
    # whole words only: a longer word that starts like a listed one is left alone
    assert (
        plain_language("Additionality and recommendedness stay.") == "Additionality and recommendedness stay."
    )


def test_split_long_sentences() -> None:
    parts = split_long(plain_language(JARGON), max_words=15)
    assert len(parts) == 2 and all(p.endswith(".") and p[0].isupper() for p in parts)
    assert split_long("Short sentence here.", ComposerSettings().patient_max_words) == [
        "Short sentence here."
    ]
    listing = (
        "There are several forms of idiopathic inflammatory myopathy, including polymyositis, "
        "dermatomyositis, "
        "and sporadic inclusion body myositis, which are each associated with unique features."
    )
    assert split_long(listing, max_words=10) == [listing]  # a list is not cut into fragments


def test_patient_text_reads_lower() -> None:
    clinician = reading_grade(JARGON)
    patient = reading_grade(split_long(plain_language(JARGON), max_words=15))
    assert clinician - patient >= 2


def test_adapt_only_for_patients_and_keeps_citations() -> None:
    d = Draft(Tier.RESEARCH, JARGON, ("c1",), group="Safety", core=JARGON)
    assert adapt_drafts([d], "clinician", ComposerSettings().patient_max_words) == [d]
    out = adapt_drafts([d], "patient", ComposerSettings().patient_max_words)
    assert len(out) == 2 and all(x.chunk_ids == ("c1",) and x.group == "Safety" for x in out)
    assert "steroid medicines" in out[0].text


def test_disclaimers_differ() -> None:
    assert disclaimer_for("patient") == PATIENT_DISCLAIMER and "doctor" in PATIENT_DISCLAIMER
    assert disclaimer_for("clinician") == CLINICIAN_DISCLAIMER != PATIENT_DISCLAIMER
    assert reading_grade("") == 0.0
