"""`python -m secondchance` runs the command line."""

from secondchance.cli import main

main()
