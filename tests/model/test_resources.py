"""The typed resource models: registered by type, frozen, strict, and lossless as properties."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pydantic import ValidationError

from mamori.model.resources import RESOURCE_TYPES, Props, check_properties, model_for
from mamori.model.resources.ec2 import SECURITY_GROUP, Ec2SecurityGroup
from mamori.model.resources.s3 import BUCKET, PublicAccessBlock, S3Bucket
from mamori.model.resources.sqs import QUEUE, SqsQueue


def test_every_type_is_registered_under_its_own_name_with_optional_fields() -> None:
    assert len(RESOURCE_TYPES) >= 40
    for name, model in RESOURCE_TYPES.items():
        assert name == model.TYPE and issubclass(model, Props)
        assert model.__module__.startswith("mamori.model.resources."), name
        assert model.model_config.get("frozen") and model.model_config.get("extra") == "forbid"
        for field, info in model.model_fields.items():
            assert info.default is None, f"{name}.{field} must default to None (not collected)"
        assert model().to_properties() == {}


def test_model_for_names_the_known_types_when_missing() -> None:
    assert model_for(QUEUE) is SqsQueue
    with pytest.raises(KeyError, match=r"aws\.sqs\.queue"):
        model_for("aws.sqs.nope")


def test_properties_are_exactly_the_keys_given_nested_included() -> None:
    b = S3Bucket.of({"created": "2026-01-01T00:00:00+00:00", "policy": {"Statement": []}, "public_access_block": {"block_public_acls": True}, "acl_public": None})
    assert b.to_properties() == {"created": "2026-01-01T00:00:00+00:00", "policy": {"Statement": []}, "public_access_block": {"block_public_acls": True}, "acl_public": None}
    assert isinstance(b.public_access_block, PublicAccessBlock)
    sg = Ec2SecurityGroup.of({"ingress": [{"protocol": "tcp", "from_port": 22, "to_port": 22, "open_to_world": True}]})
    assert sg.to_properties() == {"ingress": [{"protocol": "tcp", "from_port": 22, "to_port": 22, "open_to_world": True}]}
    assert SECURITY_GROUP == Ec2SecurityGroup.TYPE and BUCKET == S3Bucket.TYPE


def test_models_are_frozen() -> None:
    q = SqsQueue(encrypted=True)
    with pytest.raises(ValidationError):
        q.encrypted = False  # type: ignore[misc]


@pytest.mark.parametrize(
    "values",
    [
        {"encrypted": "true"},          # no str -> bool coercion
        {"fifo": 1},                    # no int -> bool coercion
        {"url": 3},                     # no int -> str coercion
        {"encrypted_typo": True},       # unknown property
    ],
)  # fmt: skip
def test_validation_is_strict(values: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        SqsQueue.of(values)


def test_check_properties_tolerates_unknown_keys_and_types_but_not_wrong_values() -> None:
    check_properties(QUEUE, {"encrypted": True, "from_an_older_version": [1, 2]})
    check_properties("aws.future.thing", {"anything": object()})
    with pytest.raises(ValueError, match=r"property public_access_block\.block_public_acls"):
        check_properties(BUCKET, {"public_access_block": {"block_public_acls": "yes"}})


def test_model_package_imports_no_heavy_library() -> None:
    code = (
        "import sys, mamori.model.resources\n"
        "heavy = [m for m in ('boto3', 'botocore', 'sqlalchemy', 'alembic') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
