"""Start-up: `tierform reach`/`verify` of a JSON file load no heavy third-party package.

The blueprint stages (pydantic, PyYAML), rendering (Jinja2), planning (tftest) and AWS
(boto3) are imported where they are used; importing the CLI must not pull them in.
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("pydantic", "yaml", "jinja2", "tftest", "boto3", "botocore", "moto", "hcl2", "rich",
         "duckdb")


def test_importing_the_cli_loads_no_heavy_dependency() -> None:
    code = ("import json, sys; import tierform.cli; "
            f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True)
    assert json.loads(done.stdout) == []
