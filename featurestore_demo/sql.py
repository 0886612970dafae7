"""SQL helpers shared by every backend: identifier quoting and value literals (Athena dialect)."""

from __future__ import annotations

__all__ = ["quote_identifier", "quote_literal", "DEFAULT_CATALOG", "DEFAULT_DATABASE"]

DEFAULT_CATALOG = "AwsDataCatalog"  # Athena's name for the Glue Data Catalog
DEFAULT_DATABASE = "sagemaker_featurestore"  # the Glue database of feature-store tables


def quote_identifier(name: str) -> str:
    """``name`` as a double-quoted identifier, with embedded quotes doubled."""
    return '"' + str(name).replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    """``value`` as a single-quoted string literal, with embedded quotes doubled."""
    return "'" + str(value).replace("'", "''") + "'"
