"""Reports of a plan: GIS export, interactive maps, route sheets and charts."""
