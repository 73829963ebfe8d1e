"""MedCite: offline, cited, evidence-graded medical question answering."""

__version__ = "0.1.0"
