"""The run's reports: coverage matrix, summary.json / summary.md, baseline, redaction of outputs.

`conformance.report.plugin` is the pytest plugin the `monite-conformance run` command loads
(`-p conformance.report.plugin`); the other modules each do one job for it.
"""
