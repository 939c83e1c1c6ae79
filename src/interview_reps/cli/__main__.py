"""`python -m interview_reps.cli`: the `reps` command."""

from . import main

main()
