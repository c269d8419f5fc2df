"""`monite-conformance diff`: what changed between two OpenAPI documents, from a client's view.

Data flows one way: `load` (a file, URL or our spec, its structure checked by `validate`) → `select` (the operations in scope, `/v1`
prefix normalised away) → `normalize` (refs, allOf, nullable forms and generator noise folded)
→ `operations`/`schemas`/`security`/`lifecycle` (walk both documents side by side, one
`conformance.findings.Finding` per rule that fires: `model.change`)
→ `render` (text, markdown, json, html, junit, sarif: one `Format` each). The rule catalogue
(`rules.RULES`, of `conformance.findings.Rule`) is the one place that says what each change is
called and how bad it is.
"""

from conformance.diff.model import DiffResult, change
from conformance.diff.operations import diff_documents
from conformance.diff.catalogue import LEVELS, RULES

__all__ = ["DiffResult", "LEVELS", "RULES", "change", "diff_documents"]
