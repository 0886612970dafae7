"""AddTags, ListTags and DeleteTags on feature-group ARNs, and CreateFeatureGroup's Tags kept."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from botocore.exceptions import ClientError

from emulator_helpers import create_request, output_misfits, raw_post, unique_name, wait_created
from featurestore_demo.schemas import USERS

TAG_PATTERN = r"([\p{L}\p{Z}\p{N}_.:/=+\-@]*)"


def _error(excinfo) -> tuple[str, str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def tagged(sm) -> tuple[str, str]:
    """(name, ARN) of a new group created with two tags."""
    name = unique_name("tagged")
    arn = sm.create_feature_group(**create_request(
        name, Tags=[{"Key": "team", "Value": "ml"}, {"Key": "cost-center", "Value": ""}]))["FeatureGroupArn"]
    wait_created(sm, name)
    return name, arn


def test_create_keeps_tags_for_list_tags_not_for_describe(emulator, sm, tagged) -> None:
    name, arn = tagged
    assert sm.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "ml"},
                                                     {"Key": "cost-center", "Value": ""}]
    status, _, payload = raw_post(emulator, "/", json.dumps({"FeatureGroupName": name}).encode(),
                                  {"X-Amz-Target": "SageMaker.DescribeFeatureGroup",
                                   "Content-Type": "application/x-amz-json-1.1"})
    assert status == 200 and "Tags" not in payload
    assert output_misfits("sagemaker", "DescribeFeatureGroup", payload) == []


def test_add_tags_overwrites_a_key_and_answers_every_tag(sm, tagged) -> None:
    _, arn = tagged
    answer = sm.add_tags(ResourceArn=arn, Tags=[{"Key": "team", "Value": "data"}, {"Key": "env", "Value": "dev"}])
    expected = [{"Key": "team", "Value": "data"}, {"Key": "cost-center", "Value": ""}, {"Key": "env", "Value": "dev"}]
    assert answer["Tags"] == expected
    assert sm.list_tags(ResourceArn=arn)["Tags"] == expected


def test_delete_tags_ignores_keys_the_group_lacks(sm, tagged) -> None:
    _, arn = tagged
    sm.delete_tags(ResourceArn=arn, TagKeys=["team", "never-there"])
    assert sm.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "cost-center", "Value": ""}]


def test_list_tags_is_one_page_and_fits_the_model(emulator, tagged) -> None:
    _, arn = tagged
    status, _, payload = raw_post(emulator, "/", json.dumps({"ResourceArn": arn, "MaxResults": 50}).encode(),
                                  {"X-Amz-Target": "SageMaker.ListTags", "Content-Type": "application/x-amz-json-1.1"})
    assert status == 200 and "NextToken" not in payload
    assert output_misfits("sagemaker", "ListTags", payload) == []


@pytest.mark.parametrize("call", ["add_tags", "list_tags", "delete_tags"])
def test_an_arn_that_is_no_group_is_a_validation_exception(sm, call) -> None:
    arn = "arn:aws:sagemaker:us-east-1:123456789012:feature-group/no-such-group"
    extra = {"add_tags": {"Tags": [{"Key": "k", "Value": "v"}]}, "delete_tags": {"TagKeys": ["k"]}, "list_tags": {}}
    with pytest.raises(ClientError) as excinfo:
        getattr(sm, call)(ResourceArn=arn, **extra[call])
    assert _error(excinfo) == (
        "ValidationException",
        f"Resource Not Found: Amazon SageMaker can't find a resource with ARN {arn}; the emulator tags feature "
        "groups only.",
        400,
    )


@pytest.mark.parametrize(("tags", "message"), [
    ([{"Key": "k" * 129, "Value": "v"}],
     f"1 validation error detected: Value '{'k' * 64}...' at 'tags.1.member.key' failed to satisfy constraint: "
     "Member must have length less than or equal to 128"),
    ([{"Key": "ok", "Value": "v"}, {"Key": "bad!key", "Value": "v"}],
     "1 validation error detected: Value 'bad!key' at 'tags.2.member.key' failed to satisfy constraint: "
     f"Member must satisfy regular expression pattern: {TAG_PATTERN}"),
    ([{"Key": "k", "Value": "v" * 257}], "at 'tags.1.member.value' failed to satisfy constraint: Member must have "
                                         "length less than or equal to 256"),
    ([{"Key": "k", "Value": "a"}, {"Key": "k", "Value": "b"}],
     "Tag keys must be unique per resource; the request gives k more than once."),
    ([{"Key": f"k{i}", "Value": "v"} for i in range(49)],
     "A resource can have at most 50 tags; this request would leave it 51. Delete tags (DeleteTags) first."),
])
def test_bad_tags_change_nothing(sm, tagged, tags, message) -> None:
    _, arn = tagged
    before = sm.list_tags(ResourceArn=arn)["Tags"]
    with pytest.raises(ClientError) as excinfo:
        sm.add_tags(ResourceArn=arn, Tags=tags)
    code, text, status = _error(excinfo)
    assert (code, status) == ("ValidationException", 400) and message in text, text
    assert sm.list_tags(ResourceArn=arn)["Tags"] == before


def test_letters_of_any_script_fit_the_tag_pattern(sm, tagged) -> None:
    _, arn = tagged
    sm.add_tags(ResourceArn=arn, Tags=[{"Key": "équipe données", "Value": "機械学習 ٣"}])
    assert {"Key": "équipe données", "Value": "機械学習 ٣"} in sm.list_tags(ResourceArn=arn)["Tags"]


def test_list_tags_constraints_of_the_model(emulator, sm) -> None:
    with pytest.raises(ClientError) as excinfo:
        sm.list_tags(ResourceArn="not-an-arn")
    assert _error(excinfo) == (
        "ValidationException",
        "1 validation error detected: Value 'not-an-arn' at 'resourceArn' failed to satisfy constraint: Member "
        "must satisfy regular expression pattern: arn:aws[a-z-]*:sagemaker:[a-z0-9-]*:[0-9]{12}:.+",
        400,
    )
    body = {"ResourceArn": "arn:aws:sagemaker:us-east-1:123456789012:feature-group/x", "MaxResults": 49}
    status, _, payload = raw_post(emulator, "/", json.dumps(body).encode(),  # botocore refuses 49 itself
                                  {"X-Amz-Target": "SageMaker.ListTags", "Content-Type": "application/x-amz-json-1.1"})
    assert (status, payload["__type"]) == (400, "ValidationException")
    assert "at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 50" in (
        payload["message"])


def test_create_with_bad_tags_creates_nothing(sm) -> None:
    name = unique_name("badtags")
    with pytest.raises(ClientError) as excinfo:
        sm.create_feature_group(**create_request(name, Tags=[{"Key": "x", "Value": "a"}, {"Key": "x", "Value": "b"}]))
    assert _error(excinfo)[0] == "ValidationException"
    with pytest.raises(sm.exceptions.ResourceNotFound):
        sm.describe_feature_group(FeatureGroupName=name)


def test_tags_on_every_backend(store) -> None:
    spec = replace(USERS, name=unique_name("tagsstore"), tags=(("team", "ml"),))
    store.create_feature_group(spec)
    store.wait_for_status(spec.name)
    assert store.list_tags(spec.name) == [{"Key": "team", "Value": "ml"}]
    assert store.add_tags(spec.name, [{"Key": "env", "Value": "dev"}]) == [
        {"Key": "team", "Value": "ml"}, {"Key": "env", "Value": "dev"}]
    store.delete_tags(spec.name, ["team"])
    assert store.list_tags(spec.name) == [{"Key": "env", "Value": "dev"}]
    assert "Tags" not in store.describe_feature_group(spec.name)
