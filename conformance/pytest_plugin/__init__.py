"""pytest integration: the run configuration, fixtures, selection, evidence and cleanup."""
