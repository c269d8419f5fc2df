"""The contract: the spec document (per API version) and the catalogue of its operations."""
