"""The generic routing engine: time-windowed vehicle routing on OR-Tools, knowing nothing of the campaign."""
