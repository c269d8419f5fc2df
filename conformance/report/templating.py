"""HTML from Jinja2 templates (`conformance/report/templates/`), escaped and redacted once, here.

Every report page (the run's report.html sections, the proxy's report.html) is rendered by this
one environment: autoescape on, so nothing a target answered can inject markup, and the `text`
filter masks secrets before escaping. Python builds the view data; templates only lay it out.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from conformance.redaction import redact


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=PackageLoader("conformance.report", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["text"] = lambda value: redact(str(value))
    return env


# A line break between two tags. Escaped values never hold "<", so this never touches a value.
_BETWEEN_TAGS = re.compile(r">[ \t]*\n\s*<")


def render(template: str, **context: Any) -> str:
    """The template `template` with `context` (every `{{ … }}` escaped), compacted: the
    template's line breaks between tags are for its reader, not the page."""
    return compact(environment().get_template(template).render(nl="\n", **context))


def compact(html: str) -> str:
    return _BETWEEN_TAGS.sub("><", html).strip("\n")
