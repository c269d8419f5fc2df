"""`monite-conformance diff`: what changed between two OpenAPI documents, from a client's view.

Data flows one way: `load` (a file, URL or our spec, its structure checked by `validate`) → `select` (the operations in scope, `/v1`
prefix normalised away) → `normalize` (refs, allOf, nullable forms and generator noise folded)
→ `operations`/`schemas`/`security`/`lifecycle` (walk both documents side by side, one `Change`
per rule that fires)
→ `render` (text, markdown, json, html, junit). The rule table (`rules.RULES`) is the one place
that says what each change is called and how bad it is.
"""

from conformance.diff.model import Change, DiffResult
from conformance.diff.operations import diff_documents
from conformance.diff.rules import LEVELS, RULES, Rule

__all__ = ["Change", "DiffResult", "LEVELS", "RULES", "Rule", "diff_documents"]
