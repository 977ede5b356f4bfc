"""The one Jinja2 environment for HCL and Markdown templates.

StrictUndefined: a typo in a template is an error, not an empty string.
Autoescape off (HCL is not HTML; escaping is the filters' job), trailing newline kept.
"""

from __future__ import annotations

import functools

from jinja2 import Environment, PackageLoader, StrictUndefined

from tierform.layout.names import secondary_block_name
from tierform.render.filters import FILTERS
from tierform.render.rules import nacl_cidr_field, port_fields, sg_peer_field
from tierform.render.skips import nacl_skips, sg_skips

__all__ = ["environment"]


@functools.cache
def environment() -> Environment:
    """The process's one environment over ``tierform/render/templates`` with the HCL
    filters: templates are compiled once per process, not once per render."""
    env = Environment(
        loader=PackageLoader("tierform.render", "templates"),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    env.filters.update(nacl_skips=nacl_skips, sg_skips=sg_skips, port_fields=port_fields,
                       nacl_cidr_field=nacl_cidr_field,
                       sg_peer_field=sg_peer_field, secondary_name=secondary_block_name)
    return env
