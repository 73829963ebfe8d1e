"""MedCite ingest stage."""
