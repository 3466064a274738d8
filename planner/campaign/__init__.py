"""Campaign operations: the store, field outcomes, re-planning, status and simulation."""
