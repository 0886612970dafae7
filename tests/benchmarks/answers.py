"""Whether two engines gave each label the same answer: the check that keeps a comparison fair."""

from __future__ import annotations

import duckdb
import pandas as pd

__all__ = ["disagreements"]


def disagreements(left: pd.DataFrame, right: pd.DataFrame, key: str, columns: list[str]) -> dict[str, int]:
    """Per column, how many rows (matched on ``key``) hold different values; NULL and NaN equal NULL.

    Columns numeric on both sides are compared as doubles and the others as text, so the dtypes
    each engine returns (nullable Int64, float with NaN, object) do not count as differences.
    Done in DuckDB: at XL both sides hold 10M rows.
    """

    def value(side: str, column: str, numeric: bool) -> str:
        name = f'{side}."{column}"'
        return f"CASE WHEN isnan({name}::DOUBLE) THEN NULL ELSE {name}::DOUBLE END" if numeric else f"{name}::VARCHAR"

    checks = [f'count(*) FILTER (l."{key}" IS NULL OR r."{key}" IS NULL) AS "rows missing on one side"']
    for column in columns:
        numeric = all(pd.api.types.is_numeric_dtype(frame[column]) for frame in (left, right))
        checks.append(f'count(*) FILTER ({value("l", column, numeric)} IS DISTINCT FROM '
                      f'{value("r", column, numeric)}) AS "{column}"')
    con = duckdb.connect()
    try:
        con.register("left_side", left[[key, *columns]])
        con.register("right_side", right[[key, *columns]])
        counts = con.execute(f'SELECT {", ".join(checks)} FROM left_side l FULL OUTER JOIN right_side r '
                             f'ON l."{key}" = r."{key}"').fetchone()
        names = [description[0] for description in con.description]
    finally:
        con.close()
    return {name: int(count) for name, count in zip(names, counts) if count}
