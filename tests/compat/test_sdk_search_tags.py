"""SDK v2 ``FeatureStore.search`` and ``FeatureGroup.list_tags`` against the emulator, nothing
changed but the endpoint variables.

(The SDK's ``get_execution_role()`` pins STS to ``https://sts.<region>.amazonaws.com``, which no
endpoint variable redirects, so it cannot run here; tests/emulator/test_demo_role.py runs its
chain, GetCallerIdentity then IAM GetRole, against the emulator.)"""

from __future__ import annotations

import pytest

from compat_clients import require_sdk

require_sdk()

from sagemaker.feature_store.feature_store import FeatureStore  # noqa: E402
from sagemaker.feature_store.inputs import (  # noqa: E402
    FeatureParameter,
    Filter,
    FilterOperatorEnum,
    ResourceEnum,
    SearchOperatorEnum,
    SortOrderEnum,
)

from sdk_helpers import users_frame, wait_until  # noqa: E402

USERS = users_frame([("u1", 30, "gold", 1_700_000_000.0)])


@pytest.fixture(scope="module")
def tagged(session, s3_uri, role_arn):
    """A group created by the SDK with tags, its ``age`` feature described with parameters."""
    from sagemaker.feature_store.feature_group import FeatureGroup

    from sdk_helpers import unique_name

    group = FeatureGroup(name=unique_name("tagged"), sagemaker_session=session)
    group.load_feature_definitions(data_frame=USERS)
    group.create(s3_uri=s3_uri, record_identifier_name="user_id", event_time_feature_name="event_time",
                 role_arn=role_arn, enable_online_store=True, description="tagged users",
                 tags=[{"Key": "team", "Value": "ml"}])
    wait_until(group.describe, lambda d: d["FeatureGroupStatus"] == "Created", f"{group.name} Created")
    group.update_feature_metadata("age", description="age in years",
                                  parameter_additions=[FeatureParameter(key="unit", value="years")])
    return group


def test_list_tags_returns_the_tags_given_at_create(tagged) -> None:
    assert tagged.list_tags() == [{"Key": "team", "Value": "ml"}]


def test_feature_store_search_finds_the_group_and_its_features(session, tagged) -> None:
    store = FeatureStore(sagemaker_session=session)
    groups = store.search(resource=ResourceEnum.FEATURE_GROUP, filters=[
        Filter(name="FeatureGroupName", value=tagged.name, operator=FilterOperatorEnum.EQUALS),
        Filter(name="Tags.team", value="ml", operator=FilterOperatorEnum.EQUALS),
    ], operator=SearchOperatorEnum.AND, sort_by="CreationTime", sort_order=SortOrderEnum.DESCENDING, max_results=5)
    assert [r["FeatureGroup"]["FeatureGroupName"] for r in groups["Results"]] == [tagged.name]
    features = store.search(resource=ResourceEnum.FEATURE_METADATA, filters=[
        Filter(name="FeatureGroupName", value=tagged.name, operator=FilterOperatorEnum.EQUALS),
        Filter(name="Parameters.unit", value="years", operator=FilterOperatorEnum.EQUALS),
    ])
    assert [(r["FeatureMetadata"]["FeatureName"], r["FeatureMetadata"]["Description"])
            for r in features["Results"]] == [("age", "age in years")]
