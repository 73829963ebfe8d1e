"""The review stage: stored answers, medical review, reviewers, feedback and conversations in one
SQLite app database, and `AnswerService`, the one path that serves an answer (an approved one when
medical review has one for the question, else the engine's, saved for review).

Nothing outside this package touches the app database; callers use `review.store.Store` (opened by
`review.store.open_store`) and `review.service.AnswerService`.
"""
