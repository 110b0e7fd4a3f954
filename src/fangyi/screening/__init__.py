"""Mass screening: campaigns, rounds, sites, pooled tubes, lab results, coverage."""
