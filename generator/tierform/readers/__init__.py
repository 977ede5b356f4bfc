"""Terraform JSON (plan, state) and live AWS -> Network.

    files.py           a plan or state JSON file -> plan.py | state.py
    plan.py            planned values + resolver.py (configuration references) -> wiring
    state.py           state values (AWS ids are the wiring)
    terraform_json.py  instances + wiring -> Network (the one assembler)
    resolver.py        the one reference resolver, shared with terraform/plan.py (Plan)
    live.py            boto3 describe calls -> Network

Readers import only the model (network/), aws.py, ports.py and errors.py.
"""

from __future__ import annotations

__all__: list[str] = []
