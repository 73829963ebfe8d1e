"""MedCite evals stage."""
