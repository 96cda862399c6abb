"""The benefits position as the ``benefits --json`` object and as text for the terminal."""

from __future__ import annotations

from scorecard.reports.benefits import CARRY_ON_NOTE, SPLIT_NOTE, TOLERANCE, BenefitsPosition
from scorecard.reports.benefits_attribution import Attribution
from scorecard.thread.domain import Framework


def _k(x: float | None) -> float | None:
    return None if x is None else round(x, 1)


def _attribution_dict(a: Attribution | None) -> dict[str, object] | None:
    if a is None:
        return None
    return {
        "case": str(a.case),
        "system_improvement": _k(a.system),
        "operational_improvement": _k(a.operational),
        "programme": _k(a.programme),
        "other": _k(a.other),
        "offset": _k(a.offset),
        "sentence": a.sentence,
    }


def as_contract_dict(fw: Framework, position: BenefitsPosition) -> dict[str, object]:
    """The ``benefits --json`` object (README, "Benefits realisation")."""
    register = fw.benefits
    names = {line.code: line.name for line in register.lines}
    return {
        "month": position.month,
        "synthetic": position.synthetic,
        "plan": [
            {
                "line": names[p.line_code],
                "code": p.line_code,
                "year": p.year,
                "planned_k": p.planned_k,
            }
            for p in register.plan
        ],
        "costs": [
            {
                "line": c.line,
                "kind": str(c.kind),
                "year": c.year,
                "cost_k": c.cost_k,
                "note": c.note,
            }
            for c in register.costs
        ],
        "lines": [
            {
                "line": line.name,
                "code": line.code,
                "planned_to_date_k": _k(line.planned_to_date_k),
                "delivered_to_date_k": _k(line.delivered_to_date_k),
                "signed_off_k": _k(line.signed_off_k),
                "cashed_k": _k(line.cashed_k),
                "kpi_codes": list(line.kpi_codes),
                "system_kpi_codes": list(line.system_kpi_codes),
                "organisations": list(line.organisations),
                "method": line.method,
                "status": str(line.status),
                "status_sentence": line.status_sentence,
                "months_measured": line.months_measured,
                "planned_measured_k": _k(line.planned_measured_k),
                "attribution": _attribution_dict(line.attribution),
                "synthetic": line.synthetic,
                "illustrative": line.illustrative,
                "sustainability": line.sustainability or None,
                "sustainability_kpi": line.sustainability_kpi or None,
            }
            for line in position.lines
        ],
        "organisations": [
            {
                "organisation": o.organisation,
                "planned_to_date_k": _k(o.planned_to_date_k),
                "delivered_to_date_k": _k(o.delivered_to_date_k),
                "signed_off_k": _k(o.signed_off_k),
                "cashed_k": _k(o.cashed_k),
                "lines": list(o.lines),
            }
            for o in position.organisations
        ],
        "totals": {
            "planned_to_date_k": _k(position.totals.planned_to_date_k),
            "delivered_to_date_k": _k(position.totals.delivered_to_date_k),
            "signed_off_k": _k(position.totals.signed_off_k),
            "cashed_k": _k(position.totals.cashed_k),
            "cost_to_date_k": _k(position.totals.cost_to_date_k),
            "net_to_date_k": _k(position.totals.net_to_date_k),
            "lines_not_shown": list(position.totals.lines_not_shown),
        },
        "notes": [
            CARRY_ON_NOTE,
            SPLIT_NOTE,
            f"on plan means within ±{TOLERANCE:.0%} (illustrative)",
        ],
    }


def benefits_text(position: BenefitsPosition) -> str:
    """The position as plain text for the terminal."""
    mark = " (synthetic values)" if position.synthetic else ""
    out = [f"Benefits realised to {position.month}{mark}, £'000", ""]
    out.append(
        f"{'Line':<66} {'Planned':>9} {'Delivered':>10} {'Signed off':>11} {'Cashed':>8}  Status"
    )
    for line in position.lines:
        delivered = "—" if line.delivered_to_date_k is None else f"{line.delivered_to_date_k:,.0f}"
        out.append(
            f"{line.name[:66]:<66} {line.planned_to_date_k:>9,.0f} {delivered:>10} "
            f"{line.signed_off_k:>11,.0f} {line.cashed_k:>8,.0f}  {line.status_words}"
        )
    t = position.totals
    out.append(
        f"{'Total':<66} {t.planned_to_date_k:>9,.0f} {t.delivered_to_date_k:>10,.0f} "
        f"{t.signed_off_k:>11,.0f} {t.cashed_k:>8,.0f}"
    )
    out += ["", f"Costs to date {t.cost_to_date_k:,.0f}; net position {t.net_to_date_k:,.0f}.", ""]
    out += [f"{line.code}: {line.status_sentence}" for line in position.lines]
    return "\n".join(out)


__all__ = ["as_contract_dict", "benefits_text"]
