"""One error hierarchy. User-facing errors carry the message the user sees and an exit code.

The CLI prints ``str(error)`` once, in one handler, and exits with ``error.exit_code``:
0 ok, 1 findings or failed checks, 2 bad input, usage or set-up.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BlueprintError",
    "Finding",
    "OutputError",
    "ReadError",
    "TerraformError",
    "TerraformSetupError",
    "TierformError",
]

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
EXIT_INCOMPLETE = 3  # no finding, but some answer is unknown (unresolved or not modelled)


class TierformError(Exception):
    """Base of every error the user may see; ``exit_code`` says how the CLI ends."""

    exit_code: int = EXIT_BAD_INPUT

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Finding:
    """One problem in a blueprint: where (file:line:col, key path), what, and how to fix it."""

    path: tuple[str | int, ...]
    message: str
    hint: str = ""
    file: str = "<blueprint>"
    line: int | None = None
    column: int | None = None
    code: str = "invalid"

    @property
    def key_path(self) -> str:
        out = ""
        for part in self.path:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
        return out or "<root>"

    @property
    def location(self) -> str:
        if self.line is None:
            return self.file
        return f"{self.file}:{self.line}:{self.column or 1}"

    def format(self) -> str:
        text = f"{self.location}: {self.key_path}: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


class BlueprintError(TierformError):
    """A blueprint that cannot be used; carries every finding, not only the first."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = list(findings)
        count = len(self.findings)
        head = f"blueprint is invalid ({count} problem{'s' if count != 1 else ''}):"
        super().__init__("\n".join([head, *(f.format() for f in self.findings)]))


class OutputError(TierformError):
    """The output directory cannot be written safely (not ours, not writable...)."""


class ReadError(TierformError):
    """A plan, state or live network that cannot be read."""


class TerraformSetupError(TierformError):
    """Terraform is missing, too old, or cannot install the provider: exit 2."""


class TerraformError(TierformError):
    """A terraform command failed (plan or apply error): exit 1. Carries command and stderr."""

    exit_code = EXIT_FINDINGS

    def __init__(self, message: str, *, command: list[str] | None = None, stderr: str = "",
                 exit_code: int | None = None) -> None:
        super().__init__(message, exit_code=exit_code)
        self.command = list(command or [])
        self.stderr = stderr
