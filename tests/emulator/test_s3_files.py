"""Files under ``<home>/s3/<bucket>/<key>`` are S3 objects through the emulator, beside moto's.

Every test gets its own bucket directory; files are written straight to disk, moto objects with
``put_object``. Listings are checked against a brute-force oracle over the merged set.
"""

from __future__ import annotations

import hashlib
import http.client
import itertools
import os
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from featurestore_demo.errors import ResourceNotFound
from hypothesis_profiles import examples
from local_backend.emulator import Emulator
from local_backend.emulator.s3_listing import S3Entry, encode_token, paginate, parse_list_request
from scenarios.emulator_backend import fake_session

_buckets = itertools.count()
NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


@pytest.fixture
def bucket(emulator: Emulator) -> str:
    """A new bucket that exists only as a directory under the S3 root (moto learns of it on sight)."""
    name = f"files-{os.getpid()}-{next(_buckets)}"
    (emulator.backend.home / "s3" / name).mkdir(parents=True)
    return name


@pytest.fixture
def deleted(emulator: Emulator, monkeypatch) -> list[tuple[str, list[str]]]:
    """The calls the emulator makes to its ``on_delete`` callback during the test."""
    calls: list[tuple[str, list[str]]] = []
    monkeypatch.setattr(emulator.s3_files, "on_delete", lambda bucket, keys: calls.append((bucket, keys)))
    return calls


def put_file(emulator: Emulator, bucket: str, key: str, data: bytes = b"data", mtime: float | None = None) -> Path:
    path = emulator.backend.home / "s3" / bucket / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def md5_etag(data: bytes) -> str:
    return f'"{hashlib.md5(data).hexdigest()}"'


def raw(emulator: Emulator, method: str, target: str, headers: dict[str, str] | None = None,
        body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    """One unsigned request with exactly this request target (no client-side normalisation)."""
    connection = http.client.HTTPConnection(emulator.host, emulator.port, timeout=10)
    try:
        connection.putrequest(method, target, skip_host="Host" in (headers or {}), skip_accept_encoding=True)
        framing = {} if "Transfer-Encoding" in (headers or {}) else {"Content-Length": str(len(body))}
        for name, value in {**framing, **(headers or {})}.items():
            connection.putheader(name, value)
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def error_code(body: bytes) -> str:
    return ET.fromstring(body).findtext("Code") or ""


def expected_page_names(keys: list[str], prefix: str, delimiter: str) -> list[str]:
    """Oracle: the names a full listing shows (keys, and common prefixes once), in order."""
    names: list[str] = []
    for key in sorted(k for k in keys if k.startswith(prefix)):
        rest = key[len(prefix):]
        name = prefix + rest[: rest.index(delimiter) + len(delimiter)] if delimiter and delimiter in rest else key
        if not names or names[-1] != name:
            names.append(name)
    return names


FILES = ["offline/year=2024/month=01/a.parquet", "offline/year=2024/month=01/b.parquet",
         "offline/year=2024/month=02/c.parquet", "offline/year=2025/month=12/d.parquet", "top.parquet",
         "offline/both.txt"]
MOTO = ["offline/year=2024/month=01/aa.txt", "offline/manifest.json", "zzz", "offline/both.txt", "offline-x"]


@pytest.fixture
def merged(emulator: Emulator, s3, bucket: str) -> list[str]:
    """Files and moto objects in one bucket; ``offline/both.txt`` is in both (the file has 'file')."""
    for key in FILES:
        put_file(emulator, bucket, key, b"file")
    for key in MOTO:
        s3.put_object(Bucket=bucket, Key=key, Body=b"moto object", ChecksumAlgorithm="CRC32")
    return sorted(set(FILES) | set(MOTO))


def test_list_v2_merges_files_and_moto_objects_in_key_order(s3, bucket, merged):
    listed = s3.list_objects_v2(Bucket=bucket)

    assert [item["Key"] for item in listed["Contents"]] == merged
    assert listed["KeyCount"] == len(merged) and listed["IsTruncated"] is False
    both = next(item for item in listed["Contents"] if item["Key"] == "offline/both.txt")
    assert (both["Size"], both["ETag"]) == (4, md5_etag(b"file"))  # the file wins
    zzz = next(item for item in listed["Contents"] if item["Key"] == "zzz")
    head = s3.head_object(Bucket=bucket, Key="zzz")
    assert (zzz["Size"], zzz["ETag"], zzz["LastModified"]) == (11, head["ETag"], head["LastModified"])
    assert zzz["ChecksumAlgorithm"] == ["CRC32"] and "ChecksumAlgorithm" not in both
    assert "Owner" not in listed["Contents"][0]


@pytest.mark.parametrize(("prefix", "delimiter"), [("", "/"), ("offline/", "/"), ("offline/year=2024/", "/"),
                                                   ("offline/year=2024/month=0", "/"), ("off", "/"),
                                                   ("offline/", "="), ("nothing/", "/"), ("", "")])
def test_list_v2_common_prefixes(s3, bucket, merged, prefix, delimiter):
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=prefix, Delimiter=delimiter)

    names = [item["Key"] for item in listed.get("Contents", [])]
    names += [item["Prefix"] for item in listed.get("CommonPrefixes", [])]
    assert sorted(names) == expected_page_names(merged, prefix, delimiter)
    assert listed["Prefix"] == prefix and listed.get("Delimiter", "") == delimiter


@pytest.mark.parametrize("page_size", [1, 2, 3, 1000])
@pytest.mark.parametrize(("prefix", "delimiter"), [("", ""), ("", "/"), ("offline/", "/"), ("offline/year=2024/", "")])
def test_paginators_walk_everything_exactly_once(s3, bucket, merged, page_size, prefix, delimiter):
    expected = expected_page_names(merged, prefix, delimiter)
    for operation in ("list_objects_v2", "list_objects"):
        pages = s3.get_paginator(operation).paginate(Bucket=bucket, Prefix=prefix, Delimiter=delimiter,
                                                     PaginationConfig={"PageSize": page_size})
        names = []
        for page in pages:
            page_names = [item["Key"] for item in page.get("Contents", [])]
            page_names += [item["Prefix"] for item in page.get("CommonPrefixes", [])]
            assert len(page_names) <= page_size
            names += sorted(page_names)
        assert names == expected, operation


def test_list_v2_continuation_and_start_after(s3, bucket, merged):
    first = s3.list_objects_v2(Bucket=bucket, MaxKeys=2)
    second = s3.list_objects_v2(Bucket=bucket, MaxKeys=2, ContinuationToken=first["NextContinuationToken"])
    after = s3.list_objects_v2(Bucket=bucket, StartAfter="offline/year=2024/month=01/b.parquet", MaxKeys=3)

    assert first["IsTruncated"] and [i["Key"] for i in first["Contents"]] == merged[:2]
    assert [i["Key"] for i in second["Contents"]] == merged[2:4]
    assert second["ContinuationToken"] == first["NextContinuationToken"]
    start = merged.index("offline/year=2024/month=01/b.parquet") + 1
    assert [i["Key"] for i in after["Contents"]] == merged[start:start + 3]
    assert after["StartAfter"] == "offline/year=2024/month=01/b.parquet"


def test_list_v1_marker_next_marker_and_owner(s3, bucket, merged):
    first = s3.list_objects(Bucket=bucket, Delimiter="/", Prefix="offline/", MaxKeys=2)
    rest = s3.list_objects(Bucket=bucket, Delimiter="/", Prefix="offline/", Marker=first["NextMarker"])
    plain = s3.list_objects(Bucket=bucket, Marker="offline/year=2024/month=01/b.parquet", MaxKeys=1)

    assert [i["Key"] for i in first["Contents"]] == ["offline/both.txt", "offline/manifest.json"]
    assert first["IsTruncated"] and first["NextMarker"] == "offline/manifest.json"
    assert [p["Prefix"] for p in rest["CommonPrefixes"]] == ["offline/year=2024/", "offline/year=2025/"]
    assert rest["IsTruncated"] is False and "NextMarker" not in rest
    assert [i["Key"] for i in plain["Contents"]] == ["offline/year=2024/month=02/c.parquet"]
    assert plain["Contents"][0]["Owner"]["ID"]
    assert "NextMarker" not in plain  # S3 sends NextMarker only with a delimiter


def test_fetch_owner(s3, bucket, merged):
    listed = s3.list_objects_v2(Bucket=bucket, FetchOwner=True, MaxKeys=1)

    assert listed["Contents"][0]["Owner"]["ID"]


@pytest.mark.parametrize(("query", "message"), [
    ("list-type=2&max-keys=-1", "Provided max-keys not an integer or within integer range"),
    ("list-type=2&max-keys=abc", "Provided max-keys not an integer or within integer range"),
    ("list-type=2&continuation-token=bm90LW91cnM=", "The continuation token provided is incorrect"),
    ("list-type=2&continuation-token=%25%25%25", "The continuation token provided is incorrect"),
    ("encoding-type=base64", "Invalid Encoding Method specified in Request"),
])
def test_bad_listing_parameters(emulator, bucket, query, message):
    status, _, body = raw(emulator, "GET", f"/{bucket}?{query}")

    assert (status, error_code(body), ET.fromstring(body).findtext("Message")) == (400, "InvalidArgument", message)


def test_listing_without_encoding_type_writes_keys_as_they_are(emulator, bucket):
    put_file(emulator, bucket, "dir/é a=b+c%20.parquet")

    status, _, body = raw(emulator, "GET", f"/{bucket}?list-type=2&prefix=dir%2F")

    assert status == 200
    assert [key.text for key in ET.fromstring(body).iter(f"{NS}Key")] == ["dir/é a=b+c%20.parquet"]


@pytest.mark.parametrize("key", ["plain.parquet", "with space/x y.parquet", "unicodé/日本/ü.parquet",
                                 "year=2024/month=01/part=a=b.parquet", "percent/100%25/%41.bin",
                                 "plus+sign/a+b", "tilde~/(parens)!*'$&,;@:"])
def test_keys_round_trip(s3, emulator, bucket, key, deleted):
    put_file(emulator, bucket, key, b"x" * 7)

    assert [item["Key"] for item in s3.list_objects_v2(Bucket=bucket)["Contents"]] == [key]
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"x" * 7
    s3.delete_object(Bucket=bucket, Key=key)
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
    assert deleted == [(bucket, [key])]


def test_head_and_get_of_a_file(s3, emulator, bucket):
    data = bytes(range(256)) * 10
    put_file(emulator, bucket, "offline/f.parquet", data, mtime=1_700_000_000.75)

    head = s3.head_object(Bucket=bucket, Key="offline/f.parquet")
    got = s3.get_object(Bucket=bucket, Key="offline/f.parquet")

    for answer in (head, got):
        assert answer["ContentLength"] == len(data) and answer["ETag"] == md5_etag(data)
        assert answer["LastModified"] == datetime.fromtimestamp(1_700_000_000, tz=timezone.utc)
        assert answer["ContentType"] == "application/octet-stream" and answer["AcceptRanges"] == "bytes"
    assert got["Body"].read() == data
    listed = s3.list_objects_v2(Bucket=bucket)["Contents"][0]
    assert (listed["ETag"], listed["Size"], listed["LastModified"]) == (head["ETag"], len(data), head["LastModified"])


def test_a_large_file_is_streamed_whole(s3, emulator, bucket):
    data = os.urandom(3 * 1024 * 1024 + 17)
    put_file(emulator, bucket, "big.bin", data)

    assert s3.get_object(Bucket=bucket, Key="big.bin")["Body"].read() == data


@pytest.mark.parametrize(("header", "content_range", "body"), [
    ("bytes=2-4", "bytes 2-4/10", b"234"),
    ("bytes=5-", "bytes 5-9/10", b"56789"),
    ("bytes=-3", "bytes 7-9/10", b"789"),
    ("bytes=-30", "bytes 0-9/10", b"0123456789"),
    ("bytes=8-100", "bytes 8-9/10", b"89"),
    ("bytes=0-0", "bytes 0-0/10", b"0"),
])
def test_ranges(s3, emulator, bucket, header, content_range, body):
    put_file(emulator, bucket, "r.bin", b"0123456789")

    got = s3.get_object(Bucket=bucket, Key="r.bin", Range=header)

    assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert (got["ContentRange"], got["ContentLength"], got["Body"].read()) == (content_range, len(body), body)


@pytest.mark.parametrize("header", ["bytes=4-2", "bytes=0-1,4-5", "lines=1-2", "bytes=x-", "bytes=-",
                                    "bytes=" + "9" * 30 + "-"])
def test_ranges_s3_ignores_give_the_whole_object(s3, emulator, bucket, header):
    put_file(emulator, bucket, "r.bin", b"0123456789")

    got = s3.get_object(Bucket=bucket, Key="r.bin", Range=header)

    assert (got["ResponseMetadata"]["HTTPStatusCode"], got["Body"].read()) == (200, b"0123456789")


@pytest.mark.parametrize(("data", "header"), [(b"0123456789", "bytes=10-"), (b"0123456789", "bytes=-0"),
                                              (b"", "bytes=0-")])
def test_unsatisfiable_range(s3, emulator, bucket, data, header):
    put_file(emulator, bucket, "r.bin", data)

    with pytest.raises(ClientError) as caught:
        s3.get_object(Bucket=bucket, Key="r.bin", Range=header)

    error = caught.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("InvalidRange", 416)
    assert error["Error"]["Message"] == "The requested range is not satisfiable"
    assert error["ResponseMetadata"]["HTTPHeaders"]["content-range"] == f"bytes */{len(data)}"


def test_conditional_requests(s3, emulator, bucket):
    put_file(emulator, bucket, "c.bin", b"abc", mtime=1_700_000_000)
    etag = md5_etag(b"abc")

    assert s3.get_object(Bucket=bucket, Key="c.bin", IfMatch=etag)["Body"].read() == b"abc"
    with pytest.raises(ClientError) as failed:
        s3.get_object(Bucket=bucket, Key="c.bin", IfMatch='"0000"')
    with pytest.raises(ClientError) as unmodified:
        s3.get_object(Bucket=bucket, Key="c.bin", IfNoneMatch=etag)
    with pytest.raises(ClientError) as not_since:
        s3.head_object(Bucket=bucket, Key="c.bin", IfModifiedSince=datetime(2024, 1, 1, tzinfo=timezone.utc))

    assert failed.value.response["Error"]["Code"] == "PreconditionFailed"
    assert failed.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    assert unmodified.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
    assert not_since.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304


def test_response_overrides(s3, emulator, bucket):
    put_file(emulator, bucket, "o.csv", b"a,b\n")

    got = s3.get_object(Bucket=bucket, Key="o.csv", ResponseContentType="text/csv",
                        ResponseContentDisposition="attachment")

    assert (got["ContentType"], got["ContentDisposition"]) == ("text/csv", "attachment")


@pytest.mark.parametrize("hidden", [".tmp-123.parquet", "offline/.tmp-1", ".hidden/visible.parquet",
                                    "offline/.staging/x/y.parquet"])
def test_hidden_files_are_never_objects(s3, emulator, bucket, hidden):
    put_file(emulator, bucket, hidden, b"secret")
    put_file(emulator, bucket, "offline/seen.parquet")

    listed = s3.list_objects_v2(Bucket=bucket)
    with pytest.raises(ClientError) as caught:
        s3.get_object(Bucket=bucket, Key=hidden)

    assert [item["Key"] for item in listed["Contents"]] == ["offline/seen.parquet"]
    assert caught.value.response["Error"]["Code"] == "NoSuchKey"
    assert s3.list_objects_v2(Bucket=bucket, Prefix=hidden.rpartition("/")[0] + "/")["KeyCount"] in (0, 1)


@pytest.mark.parametrize("name", ["192.168.0.1", "Upper-Case", "xn--bucket", "a", "-dash", "bucket-s3alias"])
def test_a_directory_that_is_no_bucket_name_is_left_to_moto(s3, emulator, name):
    (emulator.backend.home / "s3" / name).mkdir()

    assert name not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    status, _, body = raw(emulator, "GET", f"/{name}?list-type=2")
    assert status in (400, 404) and error_code(body) in ("NoSuchBucket", "InvalidBucketName")


def test_a_bucket_moto_refuses_to_make_is_left_to_moto(emulator, bucket, monkeypatch):
    def refuse(name: str, region: str) -> None:
        raise ResourceNotFound(f"The S3 bucket '{name}' does not exist.")

    monkeypatch.setattr(emulator.s3_files.objects, "ensure_bucket", refuse)
    status, _, body = raw(emulator, "GET", f"/{bucket}?list-type=2")

    assert (status, error_code(body)) == (404, "NoSuchBucket")


def test_a_directory_is_not_an_object(s3, emulator, bucket):
    put_file(emulator, bucket, "offline/year=2024/a.parquet")

    with pytest.raises(ClientError) as caught:
        s3.head_object(Bucket=bucket, Key="offline/year=2024")

    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_put_object_onto_a_file_goes_to_moto_and_the_file_keeps_shadowing_it(s3, emulator, bucket, deleted):
    put_file(emulator, bucket, "k.parquet", b"file")

    s3.put_object(Bucket=bucket, Key="k.parquet", Body=b"moto object")

    assert s3.get_object(Bucket=bucket, Key="k.parquet")["Body"].read() == b"file"
    assert [(i["Key"], i["Size"]) for i in s3.list_objects_v2(Bucket=bucket)["Contents"]] == [("k.parquet", 4)]
    s3.delete_object(Bucket=bucket, Key="k.parquet")  # the file and the moto object it shadowed
    with pytest.raises(ClientError) as caught:
        s3.get_object(Bucket=bucket, Key="k.parquet")
    assert caught.value.response["Error"]["Code"] == "NoSuchKey"
    assert deleted == [(bucket, ["k.parquet"])]


def test_delete_object_removes_the_file_and_empty_parents(s3, emulator, bucket, deleted):
    gone = put_file(emulator, bucket, "offline/year=2024/month=01/a.parquet")
    kept = put_file(emulator, bucket, "offline/year=2024/month=02/b.parquet")

    answer = s3.delete_object(Bucket=bucket, Key="offline/year=2024/month=01/a.parquet")

    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert not gone.exists() and not gone.parent.exists() and kept.exists()
    assert deleted == [(bucket, ["offline/year=2024/month=01/a.parquet"])]
    s3.delete_object(Bucket=bucket, Key="offline/year=2024/month=02/b.parquet")
    assert list((emulator.backend.home / "s3" / bucket).iterdir()) == []  # the bucket directory stays


def test_delete_object_of_a_moto_key_does_not_call_back(s3, bucket, deleted):
    s3.put_object(Bucket=bucket, Key="m", Body=b"1")

    s3.delete_object(Bucket=bucket, Key="m")
    s3.delete_object(Bucket=bucket, Key="never-was")

    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0 and deleted == []


@pytest.mark.parametrize("quiet", [False, True])
def test_delete_objects_mixes_files_moto_and_missing_keys(s3, emulator, bucket, deleted, quiet):
    files = [put_file(emulator, bucket, key) for key in ("f/1.parquet", "f/2 é.parquet", "g.parquet")]
    s3.put_object(Bucket=bucket, Key="m.txt", Body=b"1")
    keys = ["f/1.parquet", "m.txt", "f/2 é.parquet", "missing", "g.parquet"]

    answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys], "Quiet": quiet})

    if not quiet:  # moto answers a quiet request like a verbose one (S3 lists only the errors)
        assert sorted(item["Key"] for item in answer["Deleted"]) == sorted(keys)
    assert "Errors" not in answer and not any(path.exists() for path in files)
    assert deleted == [(bucket, ["f/1.parquet", "f/2 é.parquet", "g.parquet"])]
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


@pytest.mark.parametrize("body", [
    b"<Delete><Object><Key>a.parquet</Key></Object>",  # not XML
    b'<!DOCTYPE x [<!ENTITY e "a.parquet">]><Delete><Object><Key>&e;</Key></Object></Delete>',
    b"<Delete>" + b"<Object><Key>a.parquet</Key></Object>" * 1001 + b"</Delete>",
    b"<Delete></Delete>",
    b"<Remove><Object><Key>a.parquet</Key></Object></Remove>",
    b"",
])
def test_delete_objects_s3_refuses_leave_the_files(emulator, bucket, body, deleted):
    path = put_file(emulator, bucket, "a.parquet")

    status, _, answer = raw(emulator, "POST", f"/{bucket}?delete", {"Content-Type": "application/xml"}, body)

    assert (status, error_code(answer)) == (400, "MalformedXML")
    assert ET.fromstring(answer).findtext("Message") == (
        "The XML you provided was not well-formed or did not validate against our published schema")
    assert path.exists() and deleted == []


def test_delete_objects_with_a_chunked_body(emulator, bucket, deleted):
    path = put_file(emulator, bucket, "a.parquet")
    xml = b"<Delete><Object><Key>a.parquet</Key></Object></Delete>"
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(xml), xml)

    status, _, answer = raw(emulator, "POST", f"/{bucket}?delete", {"Transfer-Encoding": "chunked"}, chunked)

    assert status == 200 and [key.text for key in ET.fromstring(answer).iter(f"{NS}Key")] == ["a.parquet"]
    assert not path.exists() and deleted == [(bucket, ["a.parquet"])]


def test_delete_objects_with_a_version_id_leaves_the_file(s3, emulator, bucket, deleted):
    path = put_file(emulator, bucket, "a.parquet")

    s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a.parquet", "VersionId": "null"}]})

    assert path.exists() and deleted == []


def test_a_bucket_directory_is_a_bucket(s3, emulator, bucket):
    late = f"{bucket}-late"
    (emulator.backend.home / "s3" / late).mkdir()

    assert late in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert s3.head_bucket(Bucket=late)["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_bucket_directories_are_buckets_at_start_and_files_survive_a_restart(tmp_path):
    put_file_at = tmp_path / "s3" / "restart-bucket-files" / "offline" / "a.parquet"
    put_file_at.parent.mkdir(parents=True)
    put_file_at.write_bytes(b"kept")
    for _ in range(2):
        with Emulator(tmp_path, port=0) as emulator:
            s3 = fake_session(emulator).client("s3", endpoint_url=emulator.url)
            assert "restart-bucket-files" in [b["Name"] for b in s3.list_buckets()["Buckets"]]
            got = s3.get_object(Bucket="restart-bucket-files", Key="offline/a.parquet")
            assert got["Body"].read() == b"kept"


def test_delete_bucket_holding_files_is_refused(s3, emulator, bucket):
    put_file(emulator, bucket, "offline/a.parquet")

    with pytest.raises(ClientError) as caught:
        s3.delete_bucket(Bucket=bucket)
    s3.delete_object(Bucket=bucket, Key="offline/a.parquet")
    s3.delete_bucket(Bucket=bucket)

    assert caught.value.response["Error"]["Code"] == "BucketNotEmpty"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert not (emulator.backend.home / "s3" / bucket).exists()
    with pytest.raises(ClientError) as missing:
        s3.head_bucket(Bucket=bucket)
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_virtual_hosted_style(emulator, bucket):
    put_file(emulator, bucket, "dir/a b.parquet", b"vhost")
    host = {"Host": f"{bucket}.localhost:{emulator.port}"}

    got = raw(emulator, "GET", "/dir/a%20b.parquet", host)
    listed = raw(emulator, "GET", "/?list-type=2&prefix=dir/", host)

    assert (got[0], got[2]) == (200, b"vhost")
    assert [key.text for key in ET.fromstring(listed[2]).iter(f"{NS}Key")] == ["dir/a b.parquet"]


@pytest.fixture
def outside(emulator: Emulator, bucket: str) -> bytes:
    """A secret beside the S3 root, in a sibling bucket directory, and symbolic links to them inside ``bucket``."""
    secret = b"top secret"
    (emulator.backend.home / "secret.txt").write_bytes(secret)
    put_file(emulator, bucket + "-other", "secret.txt", secret)
    inside = emulator.backend.home / "s3" / bucket
    (inside / "link.txt").symlink_to(emulator.backend.home / "secret.txt")
    (inside / "linkdir").symlink_to(emulator.backend.home / "s3" / (bucket + "-other"))
    (emulator.backend.home / "s3" / (bucket + "-alias")).symlink_to(emulator.backend.home)
    return secret


@pytest.mark.parametrize("target", [
    "/{b}/../secret.txt", "/{b}/..%2F..%2Fsecret.txt", "/{b}/%2E%2E/%2E%2E/secret.txt", "/{b}/./../../secret.txt",
    "/{b}/../{b}-other/secret.txt", "/{b}/%2e%2e/{b}-other/secret.txt", "/{b}/link.txt", "/{b}/linkdir/secret.txt",
    "/{b}//etc/passwd", "/{b}/%2Fetc%2Fpasswd", "/{b}/a/../../secret.txt", "/../secret.txt", "/..%2Fsecret.txt",
    "/{b}/%00secret.txt", "/{b}/link.txt%00", "/{b}-alias/secret.txt", "/{b}-alias?list-type=2",
])
def test_paths_never_leave_their_bucket(emulator, s3, bucket, outside, target):
    status, _, body = raw(emulator, "GET", target.format(b=bucket))

    assert outside not in body and status < 500
    assert status in (400, 403, 404)


def test_links_and_escapes_are_never_listed(emulator, s3, bucket, outside):
    put_file(emulator, bucket, "real.parquet")

    assert f"{bucket}-alias" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]

    assert [i["Key"] for i in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["real.parquet"]
    assert s3.list_objects_v2(Bucket=bucket, Prefix="../")["KeyCount"] == 0
    assert s3.list_objects_v2(Bucket=bucket, Prefix="linkdir/")["KeyCount"] == 0
    with pytest.raises(ClientError) as caught:
        s3.get_object(Bucket=bucket, Key="../secret.txt")
    assert caught.value.response["Error"]["Code"] in ("NoSuchKey", "404")
    s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "link.txt"}, {"Key": "../secret.txt"},
                                                         {"Key": "linkdir/secret.txt"}]})
    assert (emulator.backend.home / "secret.txt").exists()
    assert (emulator.backend.home / "s3" / f"{bucket}-other" / "secret.txt").exists()


@pytest.mark.parametrize(("method", "target", "headers"), [
    ("GET", "/{b}/r.bin", {"Range": "bytes=99999999999999999999999999-"}),
    ("GET", "/{b}/r.bin", {"Range": "bytes=\u00e9-1"}),
    ("GET", "/{b}/r.bin", {"If-Modified-Since": "not a date"}),
    ("GET", "/{b}/r.bin", {"If-Match": ""}),
    ("GET", "/{b}?list-type=2&max-keys=99999999999999999999", {}),
    ("GET", "/{b}?list-type=2&prefix=%FF%FE", {}),
    ("GET", "/{b}?list-type=2&prefix=" + quote("a" * 5000), {}),
    ("GET", "/{b}/" + "a/" * 600 + "x", {}),
    ("GET", "/{b}/" + "n" * 300, {}),
    ("HEAD", "/{b}/r.bin", {"Range": "bytes=50-"}),
    ("DELETE", "/{b}/" + "%FF", {}),
    ("GET", "/{b}/r.bin?versionId=null", {}),
    ("GET", "/{b}/r.bin", {"Host": "["}),
    ("GET", "/r.bin", {"Host": "{b}.localhost:1:2"}),
    ("GET", "/r.bin", {"Host": "{b}.localhost:[x]"}),
    ("GET", "/{b}/r.bin", {"Host": ""}),
    ("GET", "/{b}/r.bin?%FF=%FE&a", {}),
    ("GET", "http://{b}.localhost/r.bin", {}),
])
def test_hostile_requests_never_answer_5xx(emulator, bucket, method, target, headers):
    put_file(emulator, bucket, "r.bin", b"0123456789")

    headers = {name: value.format(b=bucket) for name, value in headers.items()}
    status, _, _ = raw(emulator, method, target.format(b=bucket), headers)

    assert 200 <= status < 500


def test_pyarrow_reads_a_parquet_dataset_through_s3(emulator, bucket):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    fs = pytest.importorskip("pyarrow.fs")
    for month, ids in (("01", [1, 2]), ("02", [3])):
        path = emulator.backend.home / "s3" / bucket / "offline" / f"month={month}" / "part.parquet"
        path.parent.mkdir(parents=True)
        pq.write_table(pa.table({"id": ids}), path)
    put_file(emulator, bucket, "offline/month=02/.tmp-partial.parquet", b"not parquet")
    env = emulator.environment()
    s3fs = fs.S3FileSystem(access_key=env["AWS_ACCESS_KEY_ID"], secret_key=env["AWS_SECRET_ACCESS_KEY"],
                           region=env["AWS_REGION"], scheme="http",
                           endpoint_override=f"{emulator.host}:{emulator.port}")

    table = pq.read_table(f"{bucket}/offline", filesystem=s3fs)

    assert sorted(table.column("id").to_pylist()) == [1, 2, 3]
    info = s3fs.get_file_info(f"{bucket}/offline/month=01/part.parquet")
    assert info.size == (emulator.backend.home / "s3" / bucket / "offline/month=01/part.parquet").stat().st_size


def test_special_keys_under_a_delimiter_and_prefix(s3, emulator, bucket):
    for key in ("unicodé dir/日本/ü.parquet", "unicodé dir/a+b=c%d.parquet", "unicodé dirx"):
        put_file(emulator, bucket, key)

    listed = s3.list_objects_v2(Bucket=bucket, Prefix="unicodé dir/", Delimiter="/")
    old = s3.list_objects(Bucket=bucket, Prefix="unicodé dir/", Delimiter="/")

    for answer in (listed, old):
        assert [p["Prefix"] for p in answer["CommonPrefixes"]] == ["unicodé dir/日本/"]
        assert [c["Key"] for c in answer["Contents"]] == ["unicodé dir/a+b=c%d.parquet"]
    assert listed["Prefix"] == "unicodé dir/"


def test_max_keys_is_capped_at_1000(s3, emulator, bucket):
    for number in range(1001):
        put_file(emulator, bucket, f"many/{number:04d}", b"")

    first = s3.list_objects_v2(Bucket=bucket, MaxKeys=5000)
    rest = s3.list_objects_v2(Bucket=bucket, ContinuationToken=first["NextContinuationToken"])

    assert (first["KeyCount"], first["IsTruncated"], first["MaxKeys"]) == (1000, True, 1000)
    assert [c["Key"] for c in rest["Contents"]] == ["many/1000"] and rest["IsTruncated"] is False
    assert first["Contents"][0]["ETag"] == md5_etag(b"")


@settings(max_examples=examples(300), deadline=None)
@given(keys=st.sets(st.text("ab/=", min_size=1, max_size=5), max_size=25), prefix=st.text("ab/", max_size=2),
       delimiter=st.sampled_from(["", "/", "=", "ab"]), page_size=st.integers(1, 4), version=st.sampled_from([1, 2]))
def test_paging_walks_every_name_once_as_botocore_resumes(keys, prefix, delimiter, page_size, version):
    """The listing core against the oracle, resumed as botocore's paginators do (v1: NextMarker,
    else the last key; v2: NextContinuationToken)."""
    when = datetime(2024, 1, 1, tzinfo=timezone.utc)
    entries = [S3Entry(key, 0, md5_etag(b""), when) for key in sorted(keys)]
    params = {"prefix": prefix, "delimiter": delimiter, "max-keys": str(page_size)}
    if version == 2:
        params["list-type"] = "2"
    names: list[str] = []
    for _ in range(len(keys) + 2):
        page = paginate(entries, parse_list_request(params))
        names += sorted([entry.key for entry in page.contents] + page.common_prefixes)
        if not page.truncated:
            break
        if version == 2:
            params["continuation-token"] = encode_token(page.last)
        else:
            params["marker"] = page.last if delimiter else page.contents[-1].key
    assert names == expected_page_names(sorted(keys), prefix, delimiter)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_access_denied(s3, emulator, bucket):
    put_file(emulator, bucket, "locked.parquet").chmod(0)

    with pytest.raises(ClientError) as caught:
        s3.get_object(Bucket=bucket, Key="locked.parquet")

    assert caught.value.response["Error"]["Code"] == "AccessDenied"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_a_file_the_emulator_cannot_open_is_access_denied(s3, emulator, bucket, monkeypatch):
    put_file(emulator, bucket, "locked.parquet")

    def refuse(bucket: str, key: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(emulator.s3_files.files, "open", refuse)
    with pytest.raises(ClientError) as caught:
        s3.get_object(Bucket=bucket, Key="locked.parquet")

    assert caught.value.response["Error"]["Code"] == "AccessDenied"
    assert caught.value.response["Error"]["Message"] == "The file of this key cannot be read: Permission denied."


def test_a_versioned_bucket_lists_latest_versions_and_no_delete_markers(s3, emulator, bucket):
    put_file(emulator, bucket, "file.parquet")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="gone", Body=b"1")
    s3.delete_object(Bucket=bucket, Key="gone")
    s3.put_object(Bucket=bucket, Key="kept", Body=b"old")
    s3.put_object(Bucket=bucket, Key="kept", Body=b"newer")

    listed = s3.list_objects_v2(Bucket=bucket)["Contents"]

    assert [(item["Key"], item["Size"]) for item in listed] == [("file.parquet", 4), ("kept", 5)]
