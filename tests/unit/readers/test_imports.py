"""Readers import nothing above them in the pipeline, and boto3 only when reading live."""

from __future__ import annotations

import subprocess
import sys

ABOVE = ("tierform.workflow", "tierform.cli", "tierform.apply", "tierform.terraform",
         "tierform.analyze", "tierform.verify", "tierform.report", "tierform.layout",
         "tierform.render", "tierform.blueprint", "tierform.demo", "tierform.testing")


def test_readers_import_only_what_is_below_them() -> None:
    code = (
        "import sys\n"
        "import tierform.readers.files, tierform.readers.live, tierform.readers.resolver\n"
        f"bad = sorted(m for m in sys.modules if m.startswith({ABOVE!r}) or m == 'boto3'"
        " or m.startswith('botocore'))\n"
        "print(','.join(bad))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == ""
