"""Plan the campaign week: triage, the week's routing problems, a district's plan and the city's, verified and written."""
