"""The product's week: triage, week problems, chains, a district's and the city's plan, verified and written."""
