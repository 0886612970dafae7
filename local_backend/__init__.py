"""The local emulation layer: a dict online store and a DuckDB offline store behind the kit's
backend interface."""

from local_backend.backend import LocalBackend

__all__ = ["LocalBackend"]
