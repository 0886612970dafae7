"""Step 3: query the online store.

The online store answers "what are this entity's features *now*?" in milliseconds, for
real-time inference:

- **GetRecord** returns the latest record of one record identifier, with typed values
  (``int`` for Integral, ``float`` for Fractional, ``str`` for String);
- **BatchGetRecord** does the same for up to 100 identifiers in one call;
- both can return only some features (``feature_names``);
- an identifier with no record is **not an error**: GetRecord returns None and BatchGetRecord
  leaves it out. Only a feature group that does not exist is an error (ResourceNotFound).
"""

from __future__ import annotations

from featurestore_demo import query_online_store
from featurestore_demo.demo.console import make_console
from support import as_records, latest_by_event_time


def test_get_record_returns_the_latest_version_with_typed_values(demo, sample):
    latest = as_records(latest_by_event_time(sample.users, "user_id"))

    record = demo.backend.get_record(demo.users.name, "user_0001")

    assert record == latest["user_0001"]
    types = {name: type(value) for name, value in record.items()}
    assert types == {"user_id": str, "age": int, "membership_tier": str, "total_purchases": int,
                     "avg_order_value": float, "event_time": float}


def test_products_are_keyed_by_their_own_identifier(demo, sample):
    latest = as_records(latest_by_event_time(sample.products, "product_id"))

    for product_id in ("prod_0001", "prod_0010"):
        assert demo.backend.get_record(demo.products.name, product_id) == latest[product_id]


def test_feature_names_selects_what_comes_back(demo, sample):
    latest = latest_by_event_time(sample.users, "user_id").loc["user_0002"]

    record = demo.backend.get_record(demo.users.name, "user_0002", ["membership_tier", "total_purchases"])

    assert record == {"membership_tier": latest["membership_tier"],
                      "total_purchases": int(latest["total_purchases"])}


def test_a_missing_record_is_none_not_an_error(demo):
    assert demo.backend.get_record(demo.users.name, "user_9999") is None


def test_batch_get_record_returns_the_ids_that_exist(demo, sample):
    latest = as_records(latest_by_event_time(sample.users, "user_id"))
    wanted = ["user_0003", "nobody", "user_0001"]

    found = demo.backend.batch_get_record(demo.users.name, wanted)

    # Keys are the record identifiers as text; "nobody" is simply absent.
    assert found == {"user_0003": latest["user_0003"], "user_0001": latest["user_0001"]}


def test_a_new_put_is_read_back_at_once(fresh_demo, sample):
    latest = as_records(latest_by_event_time(sample.users, "user_id"))["user_0004"]
    newer = {**latest, "membership_tier": "platinum", "event_time": latest["event_time"] + 60}

    fresh_demo.backend.put_record(fresh_demo.users.name, newer)

    # The online store is strongly consistent for a single id: read-your-write.
    assert fresh_demo.backend.get_record(fresh_demo.users.name, "user_0004") == newer


def test_the_step_runs_and_reads_what_was_ingested(demo, monkeypatch):
    # The step prints the record it fetched, its latency, and a batch read with one missing id.
    monkeypatch.setattr(demo, "console", make_console())
    with demo.console.capture() as captured:
        query_online_store.run(demo)
    text = captured.get()

    assert "GetRecord" in text and demo.options.user_id in text
    assert "latency: first read" in text
    assert "1 of 6 ids had no record" in text
