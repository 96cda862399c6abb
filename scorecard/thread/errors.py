"""User-facing problems: one sentence each, naming file, row, column, value and rule."""

from __future__ import annotations

from dataclasses import asdict, dataclass

MAX_SHOWN_VALUE = 60


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a user's input, as a data owner would fix it.

    ``row`` counts as the user does: in a CSV or sheet the header is row 1, so the first data
    row is row 2; ``None`` when the problem is with the file as a whole.
    """

    file: str
    row: int | None
    column: str
    value: str
    rule: str
    message: str

    def sentence(self) -> str:
        """The problem as one sentence: where, what value, which rule."""
        where = self.file or "input"
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        shown = (
            self.value if len(self.value) <= MAX_SHOWN_VALUE else self.value[:MAX_SHOWN_VALUE] + "…"
        )
        value = f" value {shown!r}:" if self.value != "" else ""
        return f"{where}:{value} {self.message} (rule: {self.rule})"

    def as_dict(self) -> dict[str, object]:
        """The problem as the contract's JSON error object."""
        return asdict(self)


class UserError(Exception):
    """Input a user gave is wrong; carries the problems, never a traceback for the user."""

    def __init__(self, problems: list[Problem] | Problem | str) -> None:
        """Wrap one or more problems (a bare string becomes a file-less problem)."""
        if isinstance(problems, str):
            problems = [Problem("", None, "", "", "input", problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("; ".join(p.sentence() for p in self.problems))
