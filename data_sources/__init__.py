"""data_sources package."""
