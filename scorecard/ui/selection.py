"""What a view shows (month, area, node, KPI, brick filters) and how it travels in the URL."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

MONTH_PATTERN = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
MAX_PARAM_LENGTH = 80  # longer than any code or month we ever allow; longer input is hostile

# The URL parameter names, in the order they are written.
PARAM_NAMES = (
    "month",
    "area",
    "node",
    "kpi",
    "pillar",
    "brick",
    "owner",
    "state",
    "view",
    "peers",
)


@dataclass(frozen=True)
class Choices:
    """The values a URL may select, each an allow-list; anything else falls back to a default.

    ``default_month`` and ``default_area`` are used when the URL gives none, or one not allowed.
    """

    months: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    nodes: tuple[str, ...] = ()
    kpis: tuple[str, ...] = ()
    pillars: tuple[str, ...] = ()
    bricks: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    views: tuple[str, ...] = ()
    peer_groups: tuple[str, ...] = ()
    default_month: str = ""
    default_area: str = ""
    _sets: dict[str, frozenset[str]] = field(
        default_factory=dict, compare=False, repr=False, hash=False
    )

    def allows(self, name: str, value: str) -> bool:
        """Whether ``value`` is an allowed value of parameter ``name``."""
        if name not in self._sets:
            self._sets[name] = frozenset(getattr(self, _PLURAL[name]))
        return value in self._sets[name]


_PLURAL = {
    "month": "months",
    "area": "areas",
    "node": "nodes",
    "kpi": "kpis",
    "pillar": "pillars",
    "brick": "bricks",
    "owner": "owners",
    "state": "states",
    "view": "views",
    "peers": "peer_groups",
}


@dataclass(frozen=True)
class Substitution:
    """A value a shared link asked for that does not exist, and what is shown instead ("": none)."""

    name: str
    asked: str
    shown: str


@dataclass(frozen=True)
class Selection:
    """The state of a view: every field is a plain allow-listed string ("" means not chosen)."""

    month: str = ""
    area: str = ""
    node: str = ""
    kpi: str = ""
    pillar: str = ""
    brick: str = ""
    owner: str = ""
    state: str = ""  # a brick state filter (scorecard.reports.bricks.STATES)
    view: str = ""  # a KPI detail view other than the SPC chart
    peers: str = ""  # the peer group KPI detail compares with (a framework peer group code)

    @classmethod
    def from_query_params(
        cls, params: Mapping[str, str | Iterable[str]], choices: Choices
    ) -> Selection:
        """The selection a URL asks for; unknown, malformed or hostile values become defaults.

        Nothing from the URL is evaluated or unpickled: each value is compared, as a string, with
        the allow-list in ``choices``; a value not on it is silently replaced by the default.
        """
        values: dict[str, str] = {}
        for name in PARAM_NAMES:
            raw = _single(params.get(name))
            if raw is None or len(raw) > MAX_PARAM_LENGTH:
                continue
            if name == "month" and not MONTH_PATTERN.fullmatch(raw):
                continue
            if choices.allows(name, raw):
                values[name] = raw
        values.setdefault("month", choices.default_month)
        values.setdefault("area", choices.default_area)
        return cls(**values)

    @classmethod
    def from_link(
        cls, params: Mapping[str, str | Iterable[str]], choices: Choices
    ) -> tuple[Selection, tuple[Substitution, ...]]:
        """The nearest view a shared link allows, and what it asked for that does not exist.

        As ``from_query_params``, except that a well-formed month the store does not hold opens
        the nearest month it does (the latest before it, else the first); each value the link
        gave that is not shown is returned as a ``Substitution`` so the page can say so.
        """
        chosen = cls.from_query_params(params, choices)
        asked = {name: _single(params.get(name)) for name in PARAM_NAMES}
        raw_month = asked["month"]
        if (
            raw_month is not None
            and raw_month != chosen.month
            and MONTH_PATTERN.fullmatch(raw_month)
            and choices.months
        ):
            earlier = [m for m in choices.months if m <= raw_month]
            chosen = replace(chosen, month=max(earlier) if earlier else min(choices.months))
        found = tuple(
            Substitution(name, value, getattr(chosen, name))
            for name, value in asked.items()
            if value is not None and value != getattr(chosen, name)
        )
        return chosen, found

    def to_query_params(self) -> dict[str, str]:
        """The URL parameters of this selection: chosen fields only, in a stable order.

        Month and area are written even when they are the defaults, so a shared link keeps
        showing the same month after a newer month is loaded.
        """
        return {name: getattr(self, name) for name in PARAM_NAMES if getattr(self, name)}

    def with_(self, **changes: str) -> Selection:
        """A copy with some fields changed (unknown names raise TypeError)."""
        return replace(self, **changes)

    def only(self, *names: str) -> Selection:
        """A copy keeping month, area and the named fields; the others are cleared."""
        keep = {"month", "area", *names}
        return Selection(**{n: getattr(self, n) for n in PARAM_NAMES if n in keep})


def _single(value: str | Iterable[str] | None) -> str | None:
    """One string from a query-parameter value (the last of a repeated key), else None."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    items = [v for v in value if isinstance(v, str)]
    return items[-1] if items else None
