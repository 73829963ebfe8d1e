"""Reliability and security suite (issue 9)."""
