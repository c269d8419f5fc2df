"""The shipped suite's shared fixtures come from `conformance.pytest_plugin.plugin`; nothing else is shared."""
