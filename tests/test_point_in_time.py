"""Unit tests of the point-in-time join's contract: validation, label times, column names, SQL.

The results themselves are checked against the brute-force oracle in
``test_point_in_time_properties.py``; here, what a user sees when the input is wrong, and how
the output columns are named.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import sqlglot

from featurestore_demo.errors import ResourceNotFound, ValidationException
from featurestore_demo.point_in_time import build_request, label_times_us, point_in_time_sql
from featurestore_demo.schemas import FeatureDefinition, FeatureGroupSpec
from local_backend import LocalBackend

T0 = 1_700_000_000.0
UTC_T0 = datetime.fromtimestamp(T0, tz=timezone.utc)


def spec(name: str, **features: str) -> FeatureGroupSpec:
    types = {"entity_id": "String", "event_time": "Fractional", **features}
    return FeatureGroupSpec(name, "entity_id", "event_time",
                            tuple(FeatureDefinition(n, t) for n, t in types.items()))  # type: ignore[arg-type]


USERS = spec("users", value="Fractional", tier="String")
SHOPS = spec("shops", value="Fractional", visits="Integral")


def request(labels: pd.DataFrame, specs=(USERS,), **options):
    arguments = dict(label_time_column="event_time", entity_columns={}, features={}, max_age=None, as_of=None)
    return build_request(labels, list(specs), **{**arguments, **options})


def labels(**columns) -> pd.DataFrame:
    return pd.DataFrame({"entity_id": ["a", "b"], "event_time": [T0, T0 + 1], **columns})


# ------------------------------------------------------------------ validation on a backend


@pytest.fixture
def backend(tmp_path):
    with LocalBackend(home=tmp_path) as store:
        store.create_feature_group(USERS)
        yield store


@pytest.mark.parametrize(
    ("frame", "options", "message"),
    [
        (labels().drop(columns="event_time"), {}, "The labels have no time column 'event_time'"),
        (labels().rename(columns={"entity_id": "user"}), {}, "no column 'entity_id' with the ids of 'users'"),
        (labels(), {"entity_columns": {"users": "nope"}}, "no column 'nope' with the ids of 'users'"),
        (labels(event_time=["yesterday", "today"]), {}, "Cannot read event_time value 'yesterday' as a time"),
        (labels(event_time=[T0, None]), {}, "Label time 'event_time' is missing in row 1"),
        (labels(event_time=[True, False]), {}, "is boolean"),
        (labels(event_time=[T0 * 1000, T0]), {}, "epoch milliseconds? divide by 1000"),
        (labels(event_time=[object(), T0]), {}, "as a time"),
        (labels(), {"max_age": -1}, "max_age must be a non-negative number of seconds"),
        (labels(), {"max_age": "10"}, "max_age must be a non-negative number of seconds"),
        (labels(), {"max_age": True}, "max_age must be a non-negative number of seconds"),
        (labels(), {"max_age": float("nan")}, "max_age must be a non-negative number of seconds"),
        (labels(), {"max_age": timedelta(seconds=-1)}, "max_age must be a non-negative number of seconds"),
        (labels(), {"as_of": "not a time"}, "Cannot read as_of value 'not a time'"),
        (labels(), {"features": {"users": ["nope"]}}, "Feature group 'users' has no feature(s) nope"),
        (labels(), {"features": {"users": []}}, "must be a non-empty list of feature names"),
        (labels(), {"features": {"users": "value"}}, "must be a non-empty list of feature names"),
        (labels(), {"features": {"users": ["value", "value"]}}, "names a feature more than once"),
        (labels(), {"features": {"shops": ["value"]}}, "Options name group(s) not in the join: shops"),
        ("not a frame", {}, "labels must be a pandas DataFrame, not str"),
    ],
)
def test_bad_input_is_a_validation_exception_that_says_what_to_fix(backend, frame, options, message):
    with pytest.raises(ValidationException) as raised:
        backend.point_in_time_join(frame, ["users"], **options)

    assert raised.value.code == "ValidationException"
    assert message in str(raised.value)


def test_an_unknown_group_is_resource_not_found(backend):
    with pytest.raises(ResourceNotFound, match="can't find a FeatureGroup with name nobody"):
        backend.point_in_time_join(labels(), ["nobody"])


def test_naming_no_group_or_a_group_twice_is_refused(backend):
    with pytest.raises(ValidationException, match="at least one feature group"):
        backend.point_in_time_join(labels(), [])
    with pytest.raises(ValidationException, match="named more than once: users"):
        backend.point_in_time_join(labels(), ["users", "users"])


def test_an_unknown_join_method_is_refused(tmp_path):
    with pytest.raises(ValidationException, match="point_in_time_method must be one of asof, sql"):
        LocalBackend(home=tmp_path, point_in_time_method="magic")


# ------------------------------------------------------------------ column names


def output_columns(frame: pd.DataFrame, specs, **options) -> list[str]:
    built = request(frame, specs, **options)
    return [name for group in built.groups for name in group.output_names]


def test_features_keep_their_names_when_nothing_clashes():
    assert output_columns(labels(), [USERS]) == ["value", "tier"]


def test_a_feature_two_groups_share_is_named_after_its_group():
    assert output_columns(labels(), [USERS, SHOPS]) == ["users.value", "tier", "shops.value", "visits"]


def test_a_feature_named_like_a_label_column_is_named_after_its_group():
    assert output_columns(labels(tier=["x", "y"]), [USERS]) == ["value", "users.tier"]
    assert output_columns(labels(), [USERS], features={"users": ["event_time", "value"]}) == [
        "users.event_time", "value"
    ]


def test_picking_features_avoids_a_clash():
    assert output_columns(labels(), [USERS, SHOPS], features={"shops": ["visits"]}) == ["value", "tier", "visits"]


def test_a_label_column_that_takes_the_qualified_name_is_refused():
    with pytest.raises(ValidationException, match=r"already have column\(s\) users.tier"):
        request(labels(tier=["x", "y"], **{"users.tier": [1, 2]}), [USERS])


# ------------------------------------------------------------------ label times


def test_label_times_in_every_accepted_form_are_the_same_utc_instant():
    zone = ZoneInfo("America/Los_Angeles")
    expected = [int(T0 * 1_000_000)] * 2
    forms = {
        "epoch float": pd.Series([T0, T0]),
        "epoch int": pd.Series([int(T0), int(T0)]),
        "naive datetime64": pd.Series([UTC_T0.replace(tzinfo=None)] * 2),
        "zoned datetime64": pd.Series([UTC_T0] * 2).dt.tz_convert(zone),
        "iso text": pd.Series(["2023-11-14T22:13:20Z", "2023-11-14 14:13:20-08:00"]),
        "mixed objects": pd.Series([UTC_T0.astimezone(zone), UTC_T0.replace(tzinfo=None)], dtype=object),
        "floats and datetimes": pd.Series([T0, np.datetime64(int(T0), "s")], dtype=object),
    }
    for form, column in forms.items():
        assert label_times_us(column).tolist() == expected, form


def test_label_times_keep_microseconds():
    column = pd.Series([UTC_T0 + timedelta(microseconds=7)], dtype=object)
    assert label_times_us(column).tolist() == [int(T0 * 1_000_000) + 7]


# ------------------------------------------------------------------ the Athena SQL


def test_the_sql_is_athena_sql_with_windows_and_no_asof_join():
    built = request(labels(), [USERS, SHOPS], max_age=60, as_of=UTC_T0 + timedelta(microseconds=5))
    sql = point_in_time_sql(built, "labels", lambda name: f'"sagemaker_featurestore"."{name}"')

    sqlglot.parse_one(sql, read="athena")
    assert "ASOF" not in sql.upper()
    assert "row_number() OVER" in sql
    assert "TIMESTAMP '2023-11-14 22:13:20.000005'" in sql  # as_of, to the microsecond


# ------------------------------------------------------------------ attaching the joined features


def features_table(rows, values, tiers, visits, value_name="value") -> pa.Table:
    return pa.table({"__row": pa.array(rows, pa.int64()), value_name: pa.array(values, pa.float64()),
                     "tier": pa.array(tiers, pa.string()), "visits": pa.array(visits, pa.int64())})


def test_attached_features_keep_the_labels_index_order_and_the_kits_dtypes():
    frame = labels().set_axis([10, 3])  # any index, kept as it is
    built = request(frame.assign(value=[7, 8]), [USERS, SHOPS], features={"shops": ["visits"]})
    joined = built.attach(features_table([0, 1], [0.5, None], ["gold", None], [3, None], "users.value"))

    assert joined.index.tolist() == [10, 3]
    assert joined[["users.value", "tier", "visits"]].dtypes.tolist() == [np.dtype("float64"), object, "Int64"]
    assert joined["users.value"].tolist()[0] == 0.5 and np.isnan(joined["users.value"].tolist()[1])
    assert joined["tier"].tolist()[0] == "gold" and np.isnan(joined["tier"].tolist()[1])  # NaN, as pandas reads SQL
    assert joined["visits"].tolist() == [3, pd.NA]
    assert joined["value"].tolist() == [7, 8]  # the label column of that name is untouched


def test_features_in_another_row_order_or_missing_a_label_are_put_in_label_order():
    built = request(pd.DataFrame({"entity_id": ["a", "b", "c"], "event_time": [T0] * 3}), [USERS, SHOPS],
                    features={"shops": ["visits"]})
    joined = built.attach(features_table([2, 0], [2.5, 0.5], ["c", "a"], [2, 0]))

    assert joined["tier"].tolist()[0::2] == ["a", "c"] and np.isnan(joined["tier"].tolist()[1])
    assert joined["visits"].tolist() == [0, pd.NA, 2]
    assert joined["value"].tolist()[0::2] == [0.5, 2.5]
