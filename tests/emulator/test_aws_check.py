"""``make test-aws`` stops at once, naming what is missing."""

from __future__ import annotations

from featurestore_demo.aws import check as aws_check


def _isolate(monkeypatch, tmp_path) -> None:
    for name in ("FEATURESTORE_ROLE_ARN", "FEATURESTORE_S3_URI", "AWS_REGION", "AWS_DEFAULT_REGION",
                 "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))


def test_names_every_missing_setting(monkeypatch, tmp_path, capsys):
    _isolate(monkeypatch, tmp_path)
    assert aws_check.main() == 2
    err = capsys.readouterr().err
    for name in ("credentials", "region", "FEATURESTORE_ROLE_ARN", "FEATURESTORE_S3_URI"):
        assert name in err


def test_passes_when_everything_is_set(monkeypatch, tmp_path):
    _isolate(monkeypatch, tmp_path)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("FEATURESTORE_ROLE_ARN", "arn:aws:iam::123456789012:role/x")
    monkeypatch.setenv("FEATURESTORE_S3_URI", "s3://bucket/prefix")
    assert aws_check.missing_settings() == []
    assert aws_check.main() == 0
