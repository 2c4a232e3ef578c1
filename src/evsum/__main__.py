"""``python -m evsum``: the command line."""

from evsum.cli import main

main()
