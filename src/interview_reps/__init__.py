"""interview-reps: practise interview answers out loud, offline, and see honestly how each rep went."""

__version__ = "0.1.0"
