"""MedCite corpus stage."""
