"""`python -m builder` runs the newsroom command line."""

from builder.cli import main

main()
