"""`python -m medcite ...`: the same CLI as the `medcite` script (the background ingest uses it)."""

from medcite.cli import main

main()
