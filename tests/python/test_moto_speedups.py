"""The moto speedups give the results that moto gives without them."""

import importlib.util
import json

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.core.parse import PROTOCOL_PARSERS
from moto.core.utils import get_service_model
from moto.dynamodb.exceptions import ItemSizeTooLarge
from moto.dynamodb.models.dynamo_type import DynamoType, Item

from conftest import REPOSITORY_ROOT

SPEEDUPS_PATH = REPOSITORY_ROOT / "sandbox" / "src" / "moto_speedups.py"
TABLE = "speedups"


@pytest.fixture(scope="module")
def speedups():
    spec = importlib.util.spec_from_file_location("moto_speedups", SPEEDUPS_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.speed_up_requests()
    return module


@pytest.fixture
def dynamodb(speedups):
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield client


ATTRIBUTE_VALUES = [
    {"S": "plain"},
    {"S": "wide: é, 東, 🎉"},
    {"N": "-12.50"},
    {"BOOL": True},
    {"BOOL": False},
    {"NULL": True},
    {"SS": ["a", "bé"]},
    {"NS": ["1", "22.5"]},
    {"B": "aGVsbG8="},
    {"BS": ["aGk=", "eA=="]},
    {"L": [{"S": "x"}, {"N": "7"}, {"L": []}]},
    {"M": {"ä": {"M": {"deep": {"SS": ["q"]}}}, "b": {"L": [{"NULL": True}]}}},
]


@pytest.mark.parametrize("value", ATTRIBUTE_VALUES, ids=lambda value: next(iter(value)))
def test_attribute_size_matches_moto(speedups, value):
    assert speedups.attribute_size(value) == DynamoType(value).size()


def test_item_size_limit_unchanged(speedups):
    key = DynamoType({"S": "k"})
    # The attribute name "a" counts 1 byte, the string value one byte per character.
    at_limit = {"a": {"S": "x" * (speedups.MAX_ITEM_SIZE - 1)}}
    over_limit = {"a": {"S": "x" * speedups.MAX_ITEM_SIZE}}

    assert Item(key, None, at_limit).size() == speedups.MAX_ITEM_SIZE
    with pytest.raises(ItemSizeTooLarge):
        Item(key, None, over_limit)


def test_json_body_parses_as_model(speedups):
    body = {
        "TransactItems": [
            {
                "Put": {
                    "TableName": TABLE,
                    "Item": {"PK": {"S": "1"}, "snapshot": ATTRIBUTE_VALUES[11]},
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
            {
                "Update": {
                    "TableName": TABLE,
                    "Key": {"PK": {"S": "2"}},
                    "UpdateExpression": "ADD #n :one",
                    "ExpressionAttributeNames": {"#n": "count"},
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
        ]
    }
    raw = json.dumps(body).encode()
    operation = get_service_model("dynamodb").operation_model("TransactWriteItems")
    parser = PROTOCOL_PARSERS["json"](operation, map_type=dict)
    parsed = parser.parse(
        {"method": "POST", "values": {}, "headers": {}, "body": raw, "url_path": "/", "url_params": {}}
    )

    assert speedups.BINARY_MEMBER.search(raw) is None
    assert json.loads(raw) == parsed


def test_binary_value_round_trip(dynamodb):
    dynamodb.put_item(TableName=TABLE, Item={"PK": {"S": "bin"}, "data": {"B": b"\x00\xffraw"}})

    item = dynamodb.get_item(TableName=TABLE, Key={"PK": {"S": "bin"}})["Item"]

    assert item["data"]["B"] == b"\x00\xffraw"


def test_cached_condition_still_checked(dynamodb):
    request = {
        "TableName": TABLE,
        "Item": {"PK": {"S": "once"}},
        "ConditionExpression": "attribute_not_exists(PK)",
    }
    dynamodb.put_item(**request)

    with pytest.raises(ClientError) as second:
        dynamodb.put_item(**request)

    assert second.value.response["Error"]["Code"] == "ConditionalCheckFailedException"


def test_unused_value_rejected_twice(dynamodb):
    request = {
        "TableName": TABLE,
        "Key": {"PK": {"S": "job"}},
        "UpdateExpression": "SET #s = :s",
        "ConditionExpression": "attribute_not_exists(PK)",
        "ExpressionAttributeNames": {"#s": "status"},
        "ExpressionAttributeValues": {":s": {"S": "running"}, ":unused": {"S": "x"}},
    }

    for attempt in range(2):
        with pytest.raises(ClientError) as error:
            dynamodb.update_item(**request)
        assert error.value.response["Error"]["Code"] == "ValidationException", attempt
        assert ":unused" in error.value.response["Error"]["Message"], attempt


def test_invalid_condition_raises_twice(speedups):
    # Moto's own parser raises ValueError on an invalid condition. The cache must not
    # turn the second request into a success.
    for _ in range(2):
        parser = speedups.create_cached_condition_parser("attribute_not_exists(PK) AND", {}, {})
        with pytest.raises(ValueError):
            parser.parse()
