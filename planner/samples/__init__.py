"""Synthetic merchants, deterministic and clustered like real shopping areas, for a district or the whole city."""
