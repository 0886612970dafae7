"""CreateFeatureGroup rules of SAGEMAKER_SPEC §1.2 and §1.7, on FeatureGroupSpec.

The feature types and TTL units come from botocore's model of SageMaker, not a copy.
"""

from __future__ import annotations

from dataclasses import replace

import botocore.session
import pytest

from featurestore_demo.errors import ValidationException
from featurestore_demo.rules.definitions import validate_feature_group_spec, validate_ttl
from featurestore_demo.schemas import (
    DEMO_GROUPS,
    FEATURE_TYPES,
    PANDAS_TYPES,
    TTL_UNITS_IN_SECONDS,
    USERS,
    FeatureDefinition,
    TtlDuration,
)

SAGEMAKER = botocore.session.get_session().get_service_model("sagemaker")
MODEL_FEATURE_TYPES = SAGEMAKER.shape_for("FeatureType").enum
MODEL_TTL_UNITS = SAGEMAKER.shape_for("TtlDurationUnit").enum
MAX_FEATURE_DEFINITIONS = SAGEMAKER.operation_model("CreateFeatureGroup").input_shape.members[
    "FeatureDefinitions"].metadata["max"]


def definitions(count: int) -> tuple[FeatureDefinition, ...]:
    return (FeatureDefinition("user_id", "String"), FeatureDefinition("event_time", "Fractional"),
            *(FeatureDefinition(f"f{i}", "Integral") for i in range(count - 2)))


def test_the_kit_knows_the_models_feature_types_and_ttl_units_and_no_others():
    assert MODEL_FEATURE_TYPES and MODEL_TTL_UNITS
    assert sorted(FEATURE_TYPES) == sorted(PANDAS_TYPES) == sorted(MODEL_FEATURE_TYPES)
    assert sorted(TTL_UNITS_IN_SECONDS) == sorted(MODEL_TTL_UNITS)


@pytest.mark.parametrize("spec", DEMO_GROUPS, ids=lambda spec: spec.name)
def test_the_demo_groups_are_valid(spec):
    assert validate_feature_group_spec(spec) is spec


@pytest.mark.parametrize("event_type", ["String", "Fractional"])
def test_event_time_may_be_string_or_fractional(event_type):
    features = tuple(replace(f, type=event_type) if f.name == "event_time" else f for f in USERS.features)
    assert validate_feature_group_spec(replace(USERS, features=features))


@pytest.mark.parametrize("id_type", MODEL_FEATURE_TYPES)
def test_the_record_identifier_may_have_any_type(id_type):
    # SDK integration tests create Fractional identifiers on real AWS (SAGEMAKER_SPEC §1.2).
    features = tuple(replace(f, type=id_type) if f.name == "user_id" else f for f in USERS.features)
    assert validate_feature_group_spec(replace(USERS, features=features))


def test_event_time_integral_is_refused():
    features = tuple(replace(f, type="Integral") if f.name == "event_time" else f for f in USERS.features)
    with pytest.raises(ValidationException, match="'event_time' has type Integral"):
        validate_feature_group_spec(replace(USERS, features=features))


def test_definition_count_limits():
    assert validate_feature_group_spec(replace(USERS, features=definitions(MAX_FEATURE_DEFINITIONS)))
    with pytest.raises(ValidationException, match="less than or equal to 2500"):
        validate_feature_group_spec(replace(USERS, features=definitions(MAX_FEATURE_DEFINITIONS + 1)))
    with pytest.raises(ValidationException, match="greater than or equal to 1"):
        validate_feature_group_spec(replace(USERS, features=()))


def test_feature_names_clash_regardless_of_case():
    spec = replace(USERS, features=(*USERS.features, FeatureDefinition("AGE", "Integral")))
    with pytest.raises(ValidationException, match="'AGE' repeats 'age'"):
        validate_feature_group_spec(spec)


def test_the_unknown_type_is_named_with_its_position():
    spec = replace(USERS, features=(*USERS.features, FeatureDefinition("colour", "Text")))
    with pytest.raises(ValidationException, match=r"Value 'Text' at 'featureDefinitions\.7\.member\.featureType'"):
        validate_feature_group_spec(spec)


@pytest.mark.parametrize("field", ["record_identifier_name", "event_time_feature_name"])
def test_identifier_and_event_time_must_be_defined(field):
    with pytest.raises(ValidationException, match="'missing' is not among the FeatureDefinitions"):
        validate_feature_group_spec(replace(USERS, **{field: "missing"}))


def test_a_description_is_at_most_128_characters():
    assert validate_feature_group_spec(replace(USERS, description="d" * 128))
    with pytest.raises(ValidationException, match="'description'"):
        validate_feature_group_spec(replace(USERS, description="d" * 129))


@pytest.mark.parametrize("unit", MODEL_TTL_UNITS)
def test_every_ttl_unit_is_accepted(unit):
    assert validate_ttl(TtlDuration(unit, 1), "ttl") == TtlDuration(unit, 1)


@pytest.mark.parametrize(
    ("ttl", "fragment"),
    [(TtlDuration("Months", 1), "'Months' at 'ttl.unit'"), (TtlDuration("Days", 0), "'0' at 'ttl.value'"),
     (TtlDuration("Days", -1), "'-1' at 'ttl.value'"), (TtlDuration("Days", 1.5), "'1.5' at 'ttl.value'"),
     (TtlDuration("Days", True), "'True' at 'ttl.value'"),
     (TtlDuration("Weeks", 2**62), "use at most 521774 Weeks"), (TtlDuration("Hours", 2**31 - 1), "at 'ttl'")],
)
def test_bad_ttls_are_refused(ttl, fragment):
    with pytest.raises(ValidationException, match=fragment.replace(".", r"\.")):
        validate_ttl(ttl, "ttl")


def test_ttl_seconds():
    assert TtlDuration("Weeks", 2).seconds == 2 * 7 * 86_400
