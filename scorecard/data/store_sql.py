"""The store's schema (its tables' DDL and version) and the fixed SQL its reads and loads run."""

from __future__ import annotations

from typing import Final

SCHEMA_VERSION: Final = "1"
MAX_CONFLICTS: Final = 1_000


# SPC events the store holds beside the framework's spc_events.csv: the synthetic demo's planted
# improvements and ends of support, each marked synthetic and with its reason. They stay in the
# store through later loads.
_EVENTS_DDL: Final = """
    CREATE TABLE IF NOT EXISTS events (
        position INTEGER NOT NULL,
        kpi_code VARCHAR NOT NULL,
        area_code VARCHAR NOT NULL,
        period VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        reason VARCHAR NOT NULL,
        synthetic BOOLEAN NOT NULL
    )
"""

# Where published values came from, and every organisation a publication compares. Created by
# ``init`` and, for stores made before they existed, by the first load that writes them.
PROVENANCE_DDL: Final = (
    """
    CREATE TABLE IF NOT EXISTS sources (
        load_id INTEGER PRIMARY KEY,
        publication VARCHAR NOT NULL,
        file VARCHAR NOT NULL,
        edition VARCHAR NOT NULL
    )
    """,
    # One row per organisation, measure (source_key) and month as the publication prints it;
    # a later edition of the same key supersedes the row, which stays as history.
    """
    CREATE TABLE IF NOT EXISTS comparisons (
        org_code VARCHAR NOT NULL,
        org_name VARCHAR NOT NULL,
        org_level VARCHAR NOT NULL,
        source_key VARCHAR NOT NULL,
        period VARCHAR NOT NULL,
        value DOUBLE,
        numerator DOUBLE,
        denominator DOUBLE,
        publication VARCHAR NOT NULL,
        file VARCHAR NOT NULL,
        edition VARCHAR NOT NULL,
        load_id INTEGER NOT NULL,
        superseded_by INTEGER
    )
    """,
)

DDL: Final = (
    """
    CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)
    """,
    """
    CREATE TABLE loads (
        load_id INTEGER PRIMARY KEY,
        file_name VARCHAR NOT NULL,
        sha256 VARCHAR,
        kind VARCHAR NOT NULL,
        rows INTEGER NOT NULL,
        new_rows INTEGER NOT NULL,
        revisions INTEGER NOT NULL,
        unchanged INTEGER NOT NULL,
        loaded_by VARCHAR NOT NULL,
        loaded_at TIMESTAMP NOT NULL,
        synthetic BOOLEAN NOT NULL
    )
    """,
    # No unique key: a revised (kpi_code, area_code, period) keeps its old rows, marked
    # superseded_by the load that replaced them; current rows have superseded_by NULL.
    """
    CREATE TABLE observations (
        kpi_code VARCHAR NOT NULL,
        area_code VARCHAR NOT NULL,
        period VARCHAR NOT NULL,
        value DOUBLE NOT NULL,
        numerator DOUBLE,
        denominator DOUBLE,
        status VARCHAR NOT NULL,
        note VARCHAR,
        load_id INTEGER NOT NULL,
        synthetic BOOLEAN NOT NULL,
        superseded_by INTEGER
    )
    """,
    _EVENTS_DDL,
    *(ddl.replace("IF NOT EXISTS ", "") for ddl in PROVENANCE_DDL),
)

# A stored current row and an incoming batch row (aliases o and b) say the same thing. The
# status may go provisional -> final (a revision) but a provisional copy of a final value is
# not news: it is unchanged when the figures agree, and a conflict when they do not. The
# synthetic flag is not compared: loading a demo store's export back is a no-op (it must not
# relabel synthetic values as real), so a stored value keeps its label until a load revises it.
_SAME_FIGURES: Final = """
    o.value IS NOT DISTINCT FROM b.value
    AND o.numerator IS NOT DISTINCT FROM b.numerator
    AND o.denominator IS NOT DISTINCT FROM b.denominator
    AND o.note IS NOT DISTINCT FROM b.note
"""
_UNCHANGED: Final = f"""
    ({_SAME_FIGURES})
    AND (o.status = b.status OR (o.status = 'final' AND b.status = 'provisional'))
"""
_CONFLICT: Final = f"""
    o.status = 'final' AND b.status = 'provisional' AND NOT ({_SAME_FIGURES})
"""
_MATCH: Final = """
    o.superseded_by IS NULL
    AND o.kpi_code = b.kpi_code AND o.area_code = b.area_code AND o.period = b.period
"""

CLASSIFY: Final = f"""
    SELECT
        count(*) FILTER (WHERE o.kpi_code IS NULL) AS new_rows,
        count(*) FILTER (WHERE o.kpi_code IS NOT NULL AND {_UNCHANGED}) AS unchanged,
        count(*) FILTER (WHERE o.kpi_code IS NOT NULL AND {_CONFLICT}) AS conflicts
    FROM batch AS b LEFT JOIN observations AS o ON {_MATCH}
"""  # noqa: S608 -- fixed fragments of this module, no user text; values are bound

CONFLICTS: Final = f"""
    SELECT b.source_row, b.kpi_code::VARCHAR AS kpi_code, b.area_code::VARCHAR AS area_code,
           b.period::VARCHAR AS period, b.value, o.value AS stored_value, o.load_id,
           l.file_name AS stored_file
    FROM batch AS b JOIN observations AS o ON {_MATCH}
    JOIN loads AS l ON l.load_id = o.load_id
    WHERE {_CONFLICT}
    ORDER BY b.source_row
    LIMIT {MAX_CONFLICTS}
"""  # noqa: S608 -- fixed fragments of this module, no user text; values are bound

SUPERSEDE: Final = f"""
    UPDATE observations AS o SET superseded_by = $load_id
    FROM batch AS b
    WHERE {_MATCH} AND NOT ({_UNCHANGED})
"""  # noqa: S608 -- fixed fragments of this module, no user text; values are bound

INSERT: Final = f"""
    INSERT INTO observations
    SELECT b.kpi_code, b.area_code, b.period, b.value, b.numerator, b.denominator, b.status,
           b.note, $load_id, $synthetic, NULL
    FROM batch AS b
    WHERE NOT EXISTS (SELECT 1 FROM observations AS o WHERE {_MATCH})
"""  # noqa: S608 -- fixed fragments of this module, no user text; values are bound

COMPARISON_COLUMNS: Final = (
    "org_code",
    "org_name",
    "org_level",
    "source_key",
    "period",
    "value",
    "numerator",
    "denominator",
    "publication",
    "file",
    "edition",
)
_COMPARISON_MATCH: Final = """
    c.superseded_by IS NULL AND c.source_key = n.source_key AND c.org_code = n.org_code
    AND c.period = n.period
"""
_SAME_COMPARISON: Final = """
    c.value IS NOT DISTINCT FROM n.value AND c.numerator IS NOT DISTINCT FROM n.numerator
    AND c.denominator IS NOT DISTINCT FROM n.denominator AND c.org_name = n.org_name
"""
COUNT_NEW_COMPARISONS: Final = f"""
    SELECT count(*) FROM compared AS n
    WHERE NOT EXISTS (
        SELECT 1 FROM comparisons AS c WHERE {_COMPARISON_MATCH} AND {_SAME_COMPARISON}
    )
"""  # noqa: S608 -- fixed fragments of this module, no user text
SUPERSEDE_COMPARISONS: Final = f"""
    UPDATE comparisons AS c SET superseded_by = $load_id
    FROM compared AS n
    WHERE {_COMPARISON_MATCH} AND NOT ({_SAME_COMPARISON})
"""  # noqa: S608 -- fixed fragments of this module, no user text; values are bound
INSERT_COMPARISONS: Final = f"""
    INSERT INTO comparisons
    SELECT n.org_code, n.org_name, n.org_level, n.source_key, n.period, n.value, n.numerator,
           n.denominator, n.publication, n.file, n.edition, $load_id, NULL
    FROM compared AS n
    WHERE NOT EXISTS (SELECT 1 FROM comparisons AS c WHERE {_COMPARISON_MATCH})
"""  # noqa: S608 -- fixed fragments of this module, no user text; values are bound
SOURCES: Final = """
    SELECT l.load_id, l.file_name, l.kind, l.synthetic, l.loaded_at,
           s.publication, s.file, s.edition
    FROM loads AS l LEFT JOIN sources AS s ON s.load_id = l.load_id
    ORDER BY l.load_id
"""
CURRENT_COMPARISONS: Final = """
    SELECT org_code, org_name, org_level, source_key, period, value, numerator, denominator,
           publication, file, edition, load_id
    FROM comparisons
    WHERE superseded_by IS NULL
      AND ($key::VARCHAR IS NULL OR source_key = $key::VARCHAR)
    ORDER BY source_key, period, org_level, org_code
"""

CURRENT: Final = """
    SELECT kpi_code, area_code, period, value, numerator, denominator, status, note, load_id,
           synthetic
    FROM observations
    WHERE superseded_by IS NULL
      AND ($kpis::VARCHAR[] IS NULL OR list_contains($kpis::VARCHAR[], kpi_code))
      AND ($areas::VARCHAR[] IS NULL OR list_contains($areas::VARCHAR[], area_code))
      AND ($up_to::VARCHAR IS NULL OR period <= $up_to::VARCHAR)
    ORDER BY kpi_code, area_code, period
"""

HISTORY: Final = """
    WITH picked AS (
        SELECT o.*, count(*) OVER (PARTITION BY o.kpi_code, o.area_code, o.period) AS versions
        FROM observations AS o
        WHERE ($kpi::VARCHAR IS NULL OR o.kpi_code = $kpi::VARCHAR)
          AND ($area::VARCHAR IS NULL OR o.area_code = $area::VARCHAR)
    )
    SELECT p.kpi_code, p.area_code, p.period, p.value, p.numerator, p.denominator, p.status,
           p.note, p.load_id, p.synthetic, p.superseded_by, p.superseded_by IS NULL AS current,
           l.file_name, l.loaded_at, l.loaded_by, l.kind
    FROM picked AS p JOIN loads AS l ON l.load_id = p.load_id
    WHERE NOT $revised_only OR p.versions > 1
    ORDER BY p.kpi_code, p.area_code, p.period, p.load_id
"""
