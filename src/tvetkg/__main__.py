"""`python -m tvetkg` runs the command line."""

from tvetkg.cli import main

main()
