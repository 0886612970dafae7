"""An Athena result set: typed columns, rows of text, the result CSV and GetQueryResults pages.

Athena sends every value as text (``VarCharValue``) and the types in ``ColumnInfo``; NULL is a
datum without ``VarCharValue``. The result CSV has a header row and every value double-quoted;
NULL is an empty, unquoted field. Timestamps are written with millisecond precision
(``2025-05-25 11:27:22.463``), booleans as ``true``/``false`` (SAGEMAKER_SPEC §3.3, §5).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from featurestore_demo.wire_format import value_as_string

__all__ = ["ResultSet", "athena_type", "value_text"]

PRECISION = {"varchar": 2147483647, "bigint": 19, "integer": 10, "double": 17, "boolean": 0,
             "timestamp": 3, "date": 0}


def athena_type(dtype: Any) -> str:
    """The Athena type name of a pandas dtype."""
    if ptypes.is_bool_dtype(dtype):
        return "boolean"
    if ptypes.is_integer_dtype(dtype):
        return "integer" if np.dtype(getattr(dtype, "numpy_dtype", dtype)).itemsize <= 4 else "bigint"
    if ptypes.is_float_dtype(dtype):
        return "double"
    if ptypes.is_datetime64_any_dtype(dtype):
        return "timestamp"
    return "varchar"


def value_text(value: Any, kind: str) -> str | None:
    """``value`` as Athena writes a value of type ``kind`` in text; None for NULL."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "timestamp":
        return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    if kind in ("bigint", "integer"):
        return str(int(value))
    if kind == "double":
        return value_as_string(float(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


@dataclass
class ResultSet:
    """Column names, their Athena types, and the rows as text (None for NULL)."""

    columns: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    rows: list[list[str | None]] = field(default_factory=list)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> ResultSet:
        """The result set of a query's DataFrame, typed by its dtypes."""
        types = [athena_type(dtype) for dtype in frame.dtypes]
        columns = [frame.iloc[:, index].tolist() for index in range(frame.shape[1])]
        rows = [
            [value_text(value, kind) for value, kind in zip(row, types)]
            for row in zip(*columns)
        ] if columns else []
        return cls([str(name) for name in frame.columns], types, rows)

    def column_info(self) -> list[dict[str, Any]]:
        """``ResultSetMetadata.ColumnInfo`` as Athena sends it."""
        return [
            {"CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": name, "Label": name,
             "Type": kind, "Precision": PRECISION.get(kind, 0), "Scale": 0, "Nullable": "UNKNOWN",
             "CaseSensitive": kind == "varchar"}
            for name, kind in zip(self.columns, self.types)
        ]

    def page(self, offset: int, size: int) -> tuple[list[dict[str, Any]], int | None]:
        """Rows ``offset``.. of header + data, as ``Rows`` entries; and the next offset, or None."""
        everything: list[list[str | None]] = [list(self.columns), *self.rows]
        chosen = everything[offset:offset + size]
        rows = [{"Data": [{} if value is None else {"VarCharValue": value} for value in row]} for row in chosen]
        following = offset + size
        return rows, (following if following < len(everything) else None)

    def csv(self) -> bytes:
        """The result CSV: header row, every value double-quoted, NULL as an empty field."""
        table: list[list[str | None]] = [list(self.columns), *self.rows]
        lines = [",".join(_quoted(value) for value in row) for row in table]
        return ("\n".join(lines) + "\n").encode()

    def metadata(self) -> bytes:
        """The ``.csv.metadata`` object. Departure: JSON of the ColumnInfo, not Athena's binary format."""
        return json.dumps({"ColumnInfo": self.column_info()}).encode()


def _quoted(value: str | None) -> str:
    return "" if value is None else '"' + value.replace('"', '""') + '"'
