"""What the kit reads from botocore's service models: constraints by shape and by input member, and
Java patterns read as AWS reads them (Unicode classes, UTF-16 surrogate pairs)."""

from __future__ import annotations

import pytest

from featurestore_demo.errors import ValidationException
from featurestore_demo.rules.updates import checked_parameters
from featurestore_demo.service_model import fits_pattern, member_metadata, shape_metadata

GLUE_NAME = shape_metadata("sagemaker", "TableName")["pattern"]
"""Glue's names: ``[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\t]*``."""


@pytest.mark.parametrize("text, fits", [
    ("users_1700000000", True), ("with space\tand tab", True), ("emoji 😀 beyond the BMP", True), ("ключ", True),
    ("line\nbreak", False), ("nul\x00", False), ("\x1f", False), ("\ufffe", False),
])
def test_a_surrogate_pair_range_is_the_code_points_it_stands_for(text, fits):
    """Java counts ``\\uD800\\uDC00-\\uDBFF\\uDFFF`` in UTF-16: U+10000 to U+10FFFF. Python's ``re``
    cannot read the pair as written, and an unreadable pattern would check nothing."""
    assert fits_pattern(text, GLUE_NAME) is fits


def test_unicode_classes_still_read():
    pattern = shape_metadata("sagemaker", "FeatureParameterKey")["pattern"]
    assert fits_pattern("ключ 1:a/b", pattern) and not fits_pattern("bad!key", pattern)


def test_member_metadata_walks_the_input_through_structures_and_lists():
    assert member_metadata("sagemaker", "CreateFeatureGroup", "FeatureDefinitions")["max"] == 2500
    assert member_metadata("sagemaker", "CreateFeatureGroup", "OfflineStoreConfig", "DataCatalogConfig",
                           "TableName") == shape_metadata("sagemaker", "TableName")
    assert member_metadata("sagemaker", "UpdateFeatureMetadata", "ParameterAdditions", "Key") == shape_metadata(
        "sagemaker", "FeatureParameterKey")
    with pytest.raises(KeyError):
        member_metadata("sagemaker", "CreateFeatureGroup", "NoSuchMember")


@pytest.mark.parametrize("key", ["tab\there", "line\nbreak", "bang!"])
def test_feature_parameters_are_held_to_the_models_pattern_on_every_backend(key):
    """``\\p{Z}`` is separators (space), not control characters: a tab or a line break is refused, as
    the emulator's front end refuses them (a hand regex of ``\\s`` once let them through locally)."""
    pattern = shape_metadata("sagemaker", "FeatureParameterKey")["pattern"]
    with pytest.raises(ValidationException) as raised:
        checked_parameters(None, [{"Key": key, "Value": "v"}], [])
    assert str(raised.value).endswith(f"Member must satisfy regular expression pattern: {pattern}")
    assert checked_parameters("d", [{"Key": "ключ 1:a/b", "Value": "v"}], ["k"]) == (
        [{"Key": "ключ 1:a/b", "Value": "v"}], ["k"])
