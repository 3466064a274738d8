"""The HTML templates the report pages are filled from (route sheets, labels, index pages)."""

from __future__ import annotations

import jinja2


def page_templates() -> jinja2.Environment:
    """The package's ``templates`` folder as a jinja2 environment that escapes HTML.

    Returns
    -------
    jinja2.Environment
        Autoescaping for ``.html`` templates; block tags leave no blank lines or indents behind.
    """
    return jinja2.Environment(
        loader=jinja2.PackageLoader("planner.report", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
