"""`python -m medcite ...`: the same CLI as the `medcite` script (the background ingest uses it)."""

from medcite.cli import main

if __name__ == "__main__":  # not when a spawned encoder worker imports the parent's main module
    main()
