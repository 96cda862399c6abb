"""What a CLI command hands back to the front door: exit status, JSON payload, human text."""

from __future__ import annotations

from dataclasses import dataclass, field

from scorecard.thread.errors import Problem

EXIT_OK = 0
EXIT_REJECTED = 1  # input rejected or check failed; nothing written
EXIT_USAGE = 2


@dataclass
class CommandResult:
    """The outcome of one command; ``cli`` prints it (text to stdout, or ``data`` with --json)."""

    exit_code: int = EXIT_OK
    data: object = None
    text: str = ""
    problems: list[Problem] = field(default_factory=list)
