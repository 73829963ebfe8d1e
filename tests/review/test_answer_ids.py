"""Answer ids cover the answer's content: a changed answer is stored under a new id, the same answer
is stored once, and feedback and reviews keep pointing at the answer they were given for."""

from __future__ import annotations

from dataclasses import replace

from review_fixtures import PASSWORD, REVIEWER

from medcite.types import Answer, Statement, answer_content_id
from review.store import Store


def _reworded(answer: Answer) -> Answer:
    """The same inputs (question, audience, corpus, settings, passages), another composed text: what a
    composer change produces.  The id is kept as the old input-only hash would have kept it."""
    first = answer.sections[0]
    section = replace(first, lead=Statement("Corticosteroids are the first-line treatment.", (1,)))
    return replace(answer, sections=(section, *answer.sections[1:]))


def test_changed_answer_with_the_same_inputs_is_stored(store: Store, make_answer) -> None:  # type: ignore[no-untyped-def]
    old = make_answer()
    new = _reworded(old)
    assert new.answer_id == old.answer_id  # the old failure: same inputs, same id ...
    old_id = store.save_answer(old)
    new_id = store.save_answer(new)  # ... and INSERT OR IGNORE kept the old payload
    assert new_id != old_id
    assert store.get_answer(new_id).sections == new.sections
    assert store.get_answer(old_id).sections == old.sections
    assert store.count("answers") == 2


def test_the_same_answer_is_stored_once(store: Store, make_answer) -> None:  # type: ignore[no-untyped-def]
    answer = make_answer()
    # timings and review status describe a serving, not the answer: the id ignores them
    again = replace(answer, timings_ms={"total": 99.0}, review_status="Approved")
    assert store.save_answer(answer) == store.save_answer(again) == answer_content_id(answer)
    assert store.count("answers") == 1 and store.count("review_events") == 1


def test_corpus_and_settings_are_part_of_the_id(make_answer) -> None:  # type: ignore[no-untyped-def]
    answer = make_answer()
    assert answer_content_id(replace(answer, corpus_hash="corpus-v2")) != answer_content_id(answer)
    assert answer_content_id(replace(answer, settings_hash="settings-2")) != answer_content_id(answer)


def test_feedback_and_review_stay_with_their_answer(store: Store, reviewer, make_answer) -> None:  # type: ignore[no-untyped-def]
    old = make_answer()
    old_id = store.save_answer(old)
    store.add_feedback(old_id, -1, "wrong dose")
    store.set_status(old_id, "Under Review", reviewer=REVIEWER, password=PASSWORD)
    store.set_status(old_id, "Approved", reviewer=REVIEWER, password=PASSWORD)
    new_id = store.save_answer(_reworded(old))
    assert store.get_record(old_id).status == "Approved"
    assert store.get_record(new_id).status == "Submitted"
    assert [e.to_status for e in store.history(new_id)] == ["Submitted"]
    assert '"answer_id": "' + old_id in store.export_feedback()
    assert new_id not in store.export_feedback()
    # the approved answer is still the one served for its question, audience and corpus
    hit = store.find_approved(old.question, "clinician", old.corpus_hash)
    assert hit.kind == "approved" and hit.answer_id == old_id and hit.answer is not None
    assert hit.answer.answer_id == old_id and hit.answer.sections == old.sections


def test_an_answer_stored_under_an_old_style_id_is_still_served(store: Store, reviewer, make_answer) -> None:  # type: ignore[no-untyped-def]
    """Rows written before ids covered the content keep their id: lookups and reviews use the row's id."""
    import json

    from review.codec import answer_to_dict

    old = replace(make_answer(), answer_id="inputs-only-id")
    payload = json.dumps(answer_to_dict(old))
    store.db.write(
        lambda c: c.execute(
            "INSERT INTO answers (id, question, norm_question, audience, answer_json, corpus_hash,"
            " settings_hash, created_at, status, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 'x', 'Submitted', 'x')",
            (
                "inputs-only-id",
                old.question,
                "what is the treatment for dermatomyositis",
                "clinician",
                payload,
                old.corpus_hash,
                old.settings_hash,
            ),
        )
    )
    store.set_status("inputs-only-id", "Under Review", reviewer=REVIEWER, password=PASSWORD)
    store.set_status("inputs-only-id", "Approved", reviewer=REVIEWER, password=PASSWORD)
    hit = store.find_approved(old.question, "clinician", old.corpus_hash)
    assert hit.answer is not None and hit.answer.answer_id == "inputs-only-id"
