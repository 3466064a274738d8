"""The routing engine: a time-windowed multi-vehicle problem, solved with OR-Tools by decomposition."""
