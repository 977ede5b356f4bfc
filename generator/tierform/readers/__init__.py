"""Terraform JSON (plan, state) and live AWS -> Network.

    files.py           a plan or state JSON file (+ its configuration dir) -> plan.py | state.py
    plan.py            planned values + resolver.py -> wiring
    state.py           state values (AWS ids are the wiring)
    terraform_json.py  instances + wiring -> Network (the one assembler)
    resolver.py        the one resolver of wiring, shared with terraform/plan.py (Plan):
                       evaluate.py over the HCL when it is the plan's, else references
    hcl.py             the configuration's .tf files (python-hcl2 parse tree) -> Expr trees
    evaluate.py        symbolic evaluation of Expr trees against the plan's instances
    values.py          the evaluation's values (Ref, Unknown, TfSet) and functions
    live.py            boto3 describe calls -> Network

Readers import only the model (network/), aws.py, ports.py and errors.py (and hcl2,
inside hcl.py, when a configuration is read).
"""

from __future__ import annotations

__all__: list[str] = []
