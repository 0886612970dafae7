"""SageMaker Search over FeatureGroup and FeatureMetadata, driven by plain boto3 (search.py).

The groups live in an emulator of this module's own, so that every search sees exactly them.
"""

from __future__ import annotations

import json
from datetime import timezone

import pytest
from botocore.exceptions import ClientError

from emulator_helpers import create_request, output_misfits, raw_post, wait_created
from scenarios.emulator_backend import fake_session, running_emulator

ALPHA, BETA, GAMMA = "s-alpha", "s-beta", "s-gamma"


@pytest.fixture(scope="module")
def searched(tmp_path_factory):
    """(emulator, client) holding three groups, created alpha, beta, gamma in that order:
    alpha (online, tags team=ml, score Fractional, metadata on age), beta (offline only, score
    Integral, tag team=data), gamma (online with a 7-day TTL, no tags)."""
    with running_emulator(tmp_path_factory.mktemp("search")) as emulator:
        sm = fake_session(emulator).client("sagemaker", endpoint_url=emulator.url)
        sm.create_feature_group(**create_request(ALPHA, Tags=[{"Key": "team", "Value": "ml"}], Description="users"))
        beta = create_request(BETA, Tags=[{"Key": "team", "Value": "data"}])
        del beta["OnlineStoreConfig"]
        beta["FeatureDefinitions"][2]["FeatureType"] = "Integral"
        sm.create_feature_group(**beta)
        sm.create_feature_group(**create_request(GAMMA, OnlineStoreConfig={
            "EnableOnlineStore": True, "TtlDuration": {"Unit": "Days", "Value": 7}}))
        for name in (ALPHA, BETA, GAMMA):
            wait_created(sm, name)
        sm.update_feature_metadata(FeatureGroupName=ALPHA, FeatureName="age", Description="age in years",
                                   ParameterAdditions=[{"Key": "unit", "Value": "years"},
                                                       {"Key": "source", "Value": "crm"}])
        yield emulator, sm


@pytest.fixture(scope="module")
def sm(searched):
    return searched[1]


def names(response) -> list[str]:
    return [result["FeatureGroup"]["FeatureGroupName"] for result in response["Results"]]


def groups(sm, *filters, **request) -> list[str]:
    """The names Search finds with ``filters`` (And), sorted by name unless ``request`` sorts."""
    request.setdefault("SortBy", "FeatureGroupName")
    request.setdefault("SortOrder", "Ascending")
    expression = {"SearchExpression": {"Filters": list(filters)}} if filters else {}
    return names(sm.search(Resource="FeatureGroup", **expression, **request))


def refused(sm, **request) -> tuple[str, str]:
    with pytest.raises(ClientError) as excinfo:
        sm.search(**request)
    error = excinfo.value.response["Error"]
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return error["Code"], error["Message"]


def test_without_expression_every_group_is_found(sm) -> None:
    response = sm.search(Resource="FeatureGroup")
    assert sorted(names(response)) == [ALPHA, BETA, GAMMA]
    assert response["TotalHits"] == {"Value": 3, "Relation": "EqualTo"}


@pytest.mark.parametrize(("condition", "found"), [
    ({"Name": "FeatureGroupName", "Operator": "Equals", "Value": ALPHA}, [ALPHA]),
    ({"Name": "FeatureGroupName", "Operator": "NotEquals", "Value": ALPHA}, [BETA, GAMMA]),
    ({"Name": "FeatureGroupName", "Operator": "Contains", "Value": "amm"}, [GAMMA]),
    ({"Name": "FeatureGroupName", "Operator": "Contains", "Value": "AMM"}, []),
    ({"Name": "FeatureGroupName", "Operator": "In", "Value": f"{ALPHA}, {GAMMA}"}, [ALPHA, GAMMA]),
    ({"Name": "OnlineStoreConfig.EnableOnlineStore", "Operator": "Exists"}, [ALPHA, GAMMA]),
    ({"Name": "OnlineStoreConfig.EnableOnlineStore", "Operator": "NotExists"}, [BETA]),
    ({"Name": "OnlineStoreConfig.EnableOnlineStore", "Operator": "Equals", "Value": "TRUE"}, [ALPHA, GAMMA]),
    ({"Name": "OnlineStoreConfig.TtlDuration.Value", "Operator": "GreaterThan", "Value": "6"}, [GAMMA]),
    ({"Name": "OnlineStoreConfig.TtlDuration.Value", "Operator": "GreaterThanOrEqualTo", "Value": "7"}, [GAMMA]),
    ({"Name": "OnlineStoreConfig.TtlDuration.Value", "Operator": "LessThan", "Value": "7"}, []),
    ({"Name": "OnlineStoreConfig.TtlDuration.Value", "Operator": "LessThanOrEqualTo", "Value": "7.0"}, [GAMMA]),
    ({"Name": "Tags.team", "Operator": "Equals", "Value": "ml"}, [ALPHA]),
    ({"Name": "Tags.team", "Operator": "Exists"}, [ALPHA, BETA]),
    ({"Name": "Description", "Value": "users"}, [ALPHA]),  # no Operator: Equals
    ({"Name": "OfflineStoreConfig.S3StorageConfig.ResolvedOutputS3Uri"}, [ALPHA, BETA, GAMMA]),  # neither: Exists
    ({"Name": "FeatureDefinitions.FeatureType", "Operator": "Equals", "Value": "Fractional"}, [ALPHA, BETA, GAMMA]),
])
def test_each_operator(sm, condition, found) -> None:
    assert groups(sm, condition) == found


def test_timestamps_compare_with_iso_values(sm) -> None:
    created = {name: sm.describe_feature_group(FeatureGroupName=name)["CreationTime"] for name in (ALPHA, BETA, GAMMA)}
    beta = created[BETA].astimezone(timezone.utc).replace(tzinfo=None).isoformat()
    assert groups(sm, {"Name": "CreationTime", "Operator": "GreaterThanOrEqualTo", "Value": beta}) == [BETA, GAMMA]
    assert groups(sm, {"Name": "CreationTime", "Operator": "LessThan", "Value": beta + "Z"}) == [ALPHA]
    assert groups(sm, {"Name": "CreationTime", "Operator": "GreaterThan", "Value": "2999-01-01T00:00:00"}) == []


def test_nested_filters_need_one_element_meeting_all_of_them(sm) -> None:
    score_fractional = [{"Name": "FeatureDefinitions.FeatureName", "Operator": "Equals", "Value": "score"},
                        {"Name": "FeatureDefinitions.FeatureType", "Operator": "Equals", "Value": "Fractional"}]
    nested = sm.search(Resource="FeatureGroup", SortBy="FeatureGroupName", SortOrder="Ascending", SearchExpression={
        "NestedFilters": [{"NestedPropertyName": "FeatureDefinitions", "Filters": score_fractional}]})
    assert names(nested) == [ALPHA, GAMMA]
    assert groups(sm, *score_fractional) == [ALPHA, BETA, GAMMA]  # beta's event_time is Fractional


def test_sub_expressions_and_or(sm) -> None:
    either = {"Operator": "Or", "Filters": [{"Name": "Tags.team", "Value": "ml"},
                                           {"Name": "FeatureGroupName", "Value": GAMMA}]}
    found = sm.search(Resource="FeatureGroup", SortBy="FeatureGroupName", SortOrder="Ascending",
                      SearchExpression={"SubExpressions": [either]})
    assert names(found) == [ALPHA, GAMMA]
    both = sm.search(Resource="FeatureGroup", SearchExpression={
        "Operator": "And", "SubExpressions": [either],
        "Filters": [{"Name": "OnlineStoreConfig.TtlDuration.Unit", "Value": "Days"}]})
    assert names(both) == [GAMMA]
    any_of = sm.search(Resource="FeatureGroup", SortBy="FeatureGroupName", SortOrder="Ascending", SearchExpression={
        "Operator": "Or", "SubExpressions": [either], "Filters": [{"Name": "Tags.team", "Value": "data"}]})
    assert names(any_of) == [ALPHA, BETA, GAMMA]


def test_sort_by_any_property_either_way_default_last_modified_descending(sm) -> None:
    assert groups(sm, SortBy="FeatureGroupName", SortOrder="Descending") == [GAMMA, BETA, ALPHA]
    assert names(sm.search(Resource="FeatureGroup")) == [GAMMA, BETA, ALPHA]  # LastModifiedTime, Descending
    assert names(sm.search(Resource="FeatureGroup", SortOrder="Ascending")) == [ALPHA, BETA, GAMMA]
    # groups without the property come last, whichever the order
    assert groups(sm, SortBy="Tags.team", SortOrder="Ascending") == [BETA, ALPHA, GAMMA]
    assert groups(sm, SortBy="Tags.team", SortOrder="Descending") == [ALPHA, BETA, GAMMA]


def test_pages_follow_next_token_with_total_hits(sm) -> None:
    first = sm.search(Resource="FeatureGroup", SortBy="FeatureGroupName", SortOrder="Ascending", MaxResults=2)
    assert names(first) == [ALPHA, BETA] and first["TotalHits"]["Value"] == 3
    second = sm.search(Resource="FeatureGroup", SortBy="FeatureGroupName", SortOrder="Ascending", MaxResults=2,
                       NextToken=first["NextToken"])
    assert names(second) == [GAMMA] and "NextToken" not in second
    paginated = sm.get_paginator("search").paginate(Resource="FeatureGroup", PaginationConfig={"PageSize": 1})
    found = sorted(r["FeatureGroup"]["FeatureGroupName"] for p in paginated for r in p["Results"])
    assert found == [ALPHA, BETA, GAMMA]


def test_feature_metadata_by_parameters_and_all_parameters(sm) -> None:
    def features(*filters, **request):
        response = sm.search(Resource="FeatureMetadata", SearchExpression={"Filters": list(filters)}, **request)
        return [(r["FeatureMetadata"]["FeatureGroupName"], r["FeatureMetadata"]["FeatureName"])
                for r in response["Results"]]

    assert features({"Name": "Parameters.unit", "Operator": "Equals", "Value": "years"}) == [(ALPHA, "age")]
    assert features({"Name": "AllParameters", "Operator": "Contains", "Value": "cr"}) == [(ALPHA, "age")]
    assert features({"Name": "Description", "Operator": "Contains", "Value": "years"}) == [(ALPHA, "age")]
    assert features({"Name": "FeatureType", "Value": "Integral"}, SortBy="FeatureGroupName",
                    SortOrder="Ascending") == [(ALPHA, "age"), (BETA, "age"), (BETA, "score"), (GAMMA, "age")]
    found = sm.search(Resource="FeatureMetadata", SearchExpression={"Filters": [{"Name": "Parameters.unit"}]})
    metadata = found["Results"][0]["FeatureMetadata"]
    assert metadata["Parameters"] == [{"Key": "unit", "Value": "years"}, {"Key": "source", "Value": "crm"}]
    assert metadata["Description"] == "age in years" and metadata["FeatureType"] == "Integral"


@pytest.mark.parametrize("resource", ["FeatureGroup", "FeatureMetadata"])
def test_results_fit_the_model_output_shape(searched, resource) -> None:
    emulator, _ = searched
    status, _, payload = raw_post(emulator, "/", json.dumps({"Resource": resource}).encode(),
                                  {"X-Amz-Target": "SageMaker.Search", "Content-Type": "application/x-amz-json-1.1"})
    assert status == 200 and payload["Results"]
    assert output_misfits("sagemaker", "Search", payload) == []


def test_group_results_carry_tags_but_not_describe_only_members(sm) -> None:
    record = sm.search(Resource="FeatureGroup", SearchExpression={
        "Filters": [{"Name": "FeatureGroupName", "Value": ALPHA}]})["Results"][0]["FeatureGroup"]
    assert record["Tags"] == [{"Key": "team", "Value": "ml"}]
    assert "ThroughputConfig" not in record and "OnlineStoreTotalSizeBytes" not in record


def test_other_resources_and_cross_account_find_nothing(sm) -> None:
    assert sm.search(Resource="TrainingJob")["Results"] == []
    assert sm.search(Resource="FeatureGroup", CrossAccountFilterOption="CrossAccount")["Results"] == []


@pytest.mark.parametrize(("request_", "message"), [
    ({"Resource": "FeatureGroups"}, "1 validation error detected: Value 'FeatureGroups' at 'resource' failed to "
                                    "satisfy constraint: Member must satisfy enum value set: [TrainingJob,"),
    ({"Resource": "FeatureGroup", "SearchExpression": {}},
     "A SearchExpression must hold at least one of Filters, NestedFilters or SubExpressions."),
    ({"Resource": "FeatureGroup", "SearchExpression": {"Filters": [{"Name": "Color", "Value": "red"}]}},
     "Unknown property name 'Color' for resource FeatureGroup. Searchable properties: CreationTime, Description,"),
    ({"Resource": "FeatureGroup", "SearchExpression": {"Filters": [
        {"Name": "FeatureGroupName", "Operator": "GreaterThan", "Value": "a"}]}},
     "Operator GreaterThan is not supported for the text property 'FeatureGroupName'; it applies to numeric "
     "and timestamp properties."),
    ({"Resource": "FeatureGroup", "SearchExpression": {"Filters": [
        {"Name": "OnlineStoreConfig.EnableOnlineStore", "Operator": "Contains", "Value": "t"}]}},
     "Operator Contains is not supported for the boolean property 'OnlineStoreConfig.EnableOnlineStore'"),
    ({"Resource": "FeatureGroup", "SearchExpression": {"Filters": [
        {"Name": "CreationTime", "Operator": "LessThan", "Value": "yesterday"}]}},
     "Value 'yesterday' of the filter on 'CreationTime' is not a timestamp (ISO 8601"),
    ({"Resource": "FeatureGroup", "SearchExpression": {"Filters": [
        {"Name": "OnlineStoreConfig.TtlDuration.Value", "Operator": "LessThan", "Value": "seven"}]}},
     "Value 'seven' of the filter on 'OnlineStoreConfig.TtlDuration.Value' is not a number."),
    ({"Resource": "FeatureGroup", "SearchExpression": {"Filters": [{"Name": "FeatureGroupName", "Operator": "In"}]}},
     "The In filter on 'FeatureGroupName' needs a Value."),
    ({"Resource": "FeatureGroup", "SearchExpression": {"Filters": [{"Name": "FeatureGroupName", "Value": "x"}] * 21}},
     "at 'searchExpression.filters' failed to satisfy constraint: Member must have length less than or equal to 20"),
    ({"Resource": "FeatureGroup", "SearchExpression": {"SubExpressions": [
        {"Filters": [{"Name": "FeatureGroupName", "Value": "x"}] * 20}] * 3}},
     "A SearchExpression may hold at most 50 Filters, NestedFilters and SubExpressions in all; this one holds 63."),
    ({"Resource": "FeatureGroup", "SearchExpression": {"NestedFilters": [
        {"NestedPropertyName": "Tags", "Filters": [{"Name": "Tags.team", "Value": "ml"}]}]}},
     "NestedPropertyName 'Tags' is not a nested property of FeatureGroup; it may be FeatureDefinitions."),
    ({"Resource": "FeatureGroup", "SearchExpression": {"NestedFilters": [
        {"NestedPropertyName": "FeatureDefinitions", "Filters": [{"Name": "FeatureGroupName", "Value": "x"}]}]}},
     "The filter on 'FeatureGroupName' is inside NestedFilters of 'FeatureDefinitions'; its Name must start with "
     "'FeatureDefinitions.'."),
    ({"Resource": "FeatureGroup", "SortBy": "Colour"}, "Unknown property name 'Colour' for resource FeatureGroup."),
    ({"Resource": "FeatureGroup", "SortOrder": "Up"}, "at 'sortOrder' failed to satisfy constraint: Member must "
                                                      "satisfy enum value set: [Ascending, Descending]"),
    ({"Resource": "FeatureGroup", "MaxResults": 101}, "at 'maxResults' failed to satisfy constraint: Member must "
                                                      "have value less than or equal to 100"),
    ({"Resource": "FeatureGroup", "NextToken": "not-a-token"}, "Invalid pagination token 'not-a-token'."),
])
def test_bad_requests_are_validation_exceptions(sm, request_, message) -> None:
    code, text = refused(sm, **request_)
    assert code == "ValidationException"
    assert text.startswith(message) or message in text, text


def test_undocumented_choices_not_equals_and_exists(sm) -> None:
    """A record without the property meets NotEquals; Exists ignores a Value."""
    assert groups(sm, {"Name": "Tags.team", "Operator": "NotEquals", "Value": "ml"}) == [BETA, GAMMA]
    assert groups(sm, {"Name": "Tags.team", "Operator": "Exists", "Value": "anything"}) == [ALPHA, BETA]


def test_a_page_holds_ten_results_by_default(searched) -> None:
    """Runs last in this module: it adds groups."""
    _, sm = searched
    for index in range(8):
        request = create_request(f"s-more-{index}")
        del request["OnlineStoreConfig"]
        sm.create_feature_group(**request)
    first = sm.search(Resource="FeatureGroup")
    assert len(first["Results"]) == 10 and first["TotalHits"]["Value"] == 11
    assert len(sm.search(Resource="FeatureGroup", NextToken=first["NextToken"])["Results"]) == 1


def test_groups_still_deleting_are_found_without_their_tags(tmp_path) -> None:
    from local_backend import LocalBackend
    from local_backend.emulator.sagemaker import Deletions, SageMakerService

    with LocalBackend(tmp_path) as backend:
        service = SageMakerService(backend, Deletions(60))
        service.create_feature_group(create_request("s-going", Tags=[{"Key": "team", "Value": "ml"}]))
        service.delete_feature_group({"FeatureGroupName": "s-going"})
        found = service.search({"Resource": "FeatureGroup"})["Results"]
        assert [(r["FeatureGroup"]["FeatureGroupName"], r["FeatureGroup"]["FeatureGroupStatus"]) for r in found] == [
            ("s-going", "Deleting")]
        assert "Tags" not in found[0]["FeatureGroup"]
        assert service.search({"Resource": "FeatureMetadata"})["Results"] == []
