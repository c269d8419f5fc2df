"""The contract the suite checks: the base OpenAPI document and its per-version overlays."""
