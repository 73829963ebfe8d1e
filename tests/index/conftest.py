"""Fixtures for the index tests: the shared store fixtures (tests/store_fixtures.py)."""

from store_fixtures import backend_settings, base_settings, chroma_url, settings  # noqa: F401
