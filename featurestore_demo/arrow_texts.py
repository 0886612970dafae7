"""Arrow text columns as Python strings, each distinct text made once.

Converting a column of a million texts makes a million ``str`` objects; when few texts are
distinct (categories, tiers, repeated ids), dictionary encoding first makes one object per
distinct text and shares it, which is faster and smaller.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["shared_texts"]


def shared_texts(column: pa.ChunkedArray | pa.Array, missing: Any = None) -> np.ndarray:
    """The column's texts as an object array, ``missing`` where null; equal texts are one object."""
    if pa.types.is_null(column.type):
        return np.full(len(column), missing, dtype=object)
    encoded: Any = pc.dictionary_encode(column.cast(pa.string()))
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    distinct = np.empty(len(encoded.dictionary) + 1, dtype=object)  # the last: ``missing``, for nulls
    distinct[:-1] = encoded.dictionary.to_pylist()
    distinct[-1] = missing
    return distinct[pc.fill_null(encoded.indices, len(distinct) - 1).to_numpy()]
