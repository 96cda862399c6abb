"""The benefits register's financial formulas: plain arithmetic over named fixed variables.

A formula such as ``impact * cost_per_bed_day / 1000`` is parsed once with Python's own parser
(``ast``) and accepted only if it uses numbers, names, ``+ - * /``, unary minus and brackets.
Nothing in a formula is ever executed as code: evaluation walks the parsed tree.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass

_OPERATORS = (ast.Add, ast.Sub, ast.Mult, ast.Div)


class FormulaError(ValueError):
    """A formula that is not plain arithmetic over names and numbers."""


@dataclass(frozen=True)
class Formula:
    """A parsed formula and the names it uses."""

    text: str
    tree: ast.expr
    names: frozenset[str]

    def evaluate(self, values: Mapping[str, float]) -> float:
        """The formula's value; every name must be in ``values`` (KeyError otherwise)."""
        return _evaluate(self.tree, values)


def parse(text: str) -> Formula:
    """Parse a formula, or raise FormulaError saying what is not allowed."""
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as err:
        raise FormulaError(f"is not a formula ({err.msg})") from None
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                raise FormulaError(f"uses {node.value!r}: only numbers and names are allowed")
        elif isinstance(node, ast.BinOp):
            if not isinstance(node.op, _OPERATORS):
                raise FormulaError("uses an operator other than + - * /")
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, ast.USub | ast.UAdd):
                raise FormulaError("uses an operator other than + - * /")
        elif not isinstance(node, ast.Load | ast.operator | ast.unaryop):
            raise FormulaError(f"uses {type(node).__name__}: only + - * / and brackets are allowed")
    return Formula(text, tree, frozenset(names))


def _evaluate(node: ast.expr, values: Mapping[str, float]) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.Name):
        return float(values[node.id])
    if isinstance(node, ast.UnaryOp):
        operand = _evaluate(node.operand, values)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        left, right = _evaluate(node.left, values), _evaluate(node.right, values)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        return left / right if right != 0 else float("nan")
    raise FormulaError(f"cannot evaluate {type(node).__name__}")  # parse() admits none


def improvement_name(kpi_code: str) -> str:
    """The formula name of one operational KPI's improvement, e.g. improvement_act_cravoid."""
    return "improvement_" + "".join(c if c.isalnum() else "_" for c in kpi_code.lower())
