"""Deterministic synthetic merchants, clustered like real shopping areas, for a district or the city."""
