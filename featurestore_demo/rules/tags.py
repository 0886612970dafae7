"""The rules of a feature group's tags (AddTags, ListTags, DeleteTags, CreateFeatureGroup's Tags).

A tag is ``{"Key", "Value"}``; keys are unique per resource and a resource holds at most 50
tags. The lengths and patterns are the installed botocore model's (``TagKey``, ``TagValue``,
``TagList``, ``TagKeyList``); its patterns use Java's Unicode classes (``\\p{L}`` letters,
``\\p{Z}`` separators, ``\\p{N}`` numbers), which :func:`~featurestore_demo.service_model.fits_pattern` reads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from featurestore_demo.errors import ValidationException
from featurestore_demo.rules.names import constraint_error
from featurestore_demo.service_model import fits_pattern, service_model

__all__ = ["checked_tags", "checked_tag_keys", "merged_tags"]

def _shape_metadata(shape: str) -> dict[str, Any]:
    return dict(service_model("sagemaker").shape_for(shape).metadata)


def _check_text(value: Any, shape: str, field: str) -> str:
    meta = _shape_metadata(shape)
    if not isinstance(value, str):
        raise constraint_error(value, field, "Member must be a string")
    if len(value) < meta.get("min", 0):
        raise constraint_error(value, field, f"Member must have length greater than or equal to {meta['min']}")
    if len(value) > meta["max"]:
        raise constraint_error(value[:64], field, f"Member must have length less than or equal to {meta['max']}")
    if not fits_pattern(value, meta["pattern"]):
        raise constraint_error(value, field, f"Member must satisfy regular expression pattern: {meta['pattern']}")
    return value


def _check_count(items: Sequence[Any], shape: str, field: str) -> None:
    meta = _shape_metadata(shape)
    if isinstance(items, (str, Mapping)):
        raise constraint_error(items, field, "Member must be a list")
    if len(items) < meta.get("min", 0):
        raise constraint_error("[]", field, f"Member must have length greater than or equal to {meta['min']}")
    if len(items) > meta["max"]:
        raise constraint_error(f"<{len(items)} items>", field,
                               f"Member must have length less than or equal to {meta['max']}")


def checked_tags(tags: Sequence[Mapping[str, Any]], field: str = "tags") -> list[dict[str, str]]:
    """The tags as ``{"Key", "Value"}`` dicts, once valid; ValidationException for more than the
    model's 50, a key or value outside its TagKey / TagValue constraints, or a key given twice."""
    _check_count(tags, "TagList", field)
    checked = []
    for index, tag in enumerate(tags, 1):
        member = f"{field}.{index}.member"
        if not isinstance(tag, Mapping):
            raise constraint_error(tag, member, "Member must be a Tag {Key, Value}")
        for name in ("Key", "Value"):
            if tag.get(name) is None:
                raise constraint_error("null", f"{member}.{name.lower()}", "Member must not be null")
        checked.append({"Key": _check_text(tag["Key"], "TagKey", f"{member}.key"),
                        "Value": _check_text(tag["Value"], "TagValue", f"{member}.value")})
    keys = [tag["Key"] for tag in checked]
    twice = sorted({key for key in keys if keys.count(key) > 1})
    if twice:
        raise ValidationException(f"Tag keys must be unique per resource; the request gives {', '.join(twice)} "
                                  "more than once.")
    return checked


def checked_tag_keys(keys: Sequence[Any]) -> list[str]:
    """DeleteTags' keys, once valid: 1 to 50 of them, each a TagKey."""
    _check_count(keys, "TagKeyList", "tagKeys")
    return [_check_text(key, "TagKey", f"tagKeys.{index}.member") for index, key in enumerate(keys, 1)]


def merged_tags(current: list[dict[str, str]], additions: list[dict[str, str]]) -> list[dict[str, str]]:
    """``current`` with ``additions`` added (a known key takes the new value, in its old place);
    ValidationException if the resource would hold more than 50 tags."""
    merged = {tag["Key"]: tag["Value"] for tag in current}
    merged.update((tag["Key"], tag["Value"]) for tag in additions)
    limit = _shape_metadata("TagList")["max"]
    if len(merged) > limit:
        raise ValidationException(
            f"A resource can have at most {limit} tags; this request would leave it {len(merged)}. "
            "Delete tags (DeleteTags) first."
        )
    return [{"Key": key, "Value": value} for key, value in merged.items()]
