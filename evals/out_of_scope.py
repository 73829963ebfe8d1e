"""A small hand-written suite of questions the corpus cannot answer: the right behaviour is to abstain.

Two kinds, so a failure says which guard is weak: questions outside medicine altogether, and
medical-sounding questions about things that do not exist (invented drug and disease names), which a
retriever will always find *something* for and an answer engine must still decline.
"""

from __future__ import annotations

NON_MEDICAL = (
    "What is the capital of Australia?",
    "How do I change a flat tyre on a bicycle?",
    "Who won the 1998 FIFA World Cup final?",
    "Write a Python function that reverses a linked list.",
    "What is the best way to season a cast iron pan?",
    "How many moons does Jupiter have?",
    "Recommend a good science fiction novel for a long flight.",
)

# Invented names (checked absent from the shared corpus with zgrep when this list was written).
FICTIONAL_MEDICAL = (
    "What is the recommended adult dose of zorvantrelix for chronic hiccups?",
    "Does quallistimab cause liver failure in children?",
    "What are the diagnostic criteria for Brennecker-Olvaan syndrome?",
    "Can I take plexadrome with grapefruit juice?",
    "What is the first-line treatment for stage 3 florinthic myelopathy?",
)

# (kind, question) in a fixed order so item ids are stable.
OUT_OF_SCOPE: tuple[tuple[str, str], ...] = tuple(("nonmed", q) for q in NON_MEDICAL) + tuple(
    ("fictional", q) for q in FICTIONAL_MEDICAL
)
