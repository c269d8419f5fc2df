"""The shipped suite's shared fixtures come from `conformance.plugin`; nothing else is shared."""
