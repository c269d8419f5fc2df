"""Alternative deployments the suite must pass (issue 9, item 7): sandbox-like targets, each
making a different docs-legal choice, plus the harness that serves them and checks what a run
changed. Modules: `sandbox` (the seeded emulator without control plane), `variants` (the
docs-legal choices), `registry` (name -> factory), `launcher` (serve on loopback), `snapshot`
and `requestlog` (what changed, and by which request), `timeline` (a pytest plugin mapping
requests to test ids), `runs` (run the suite against one and summarise); `python -m
tests.deployments` serves or runs one.
"""
