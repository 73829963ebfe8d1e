"""MedCite ui stage."""
