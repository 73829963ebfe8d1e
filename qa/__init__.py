"""Question answering: retrieval, evidence grading, answer composition, checks, rendering."""
