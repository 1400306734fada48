"""Checks of docs/openapi.yaml: a valid OpenAPI 3.1 document that covers every route of the template."""

import json
import pathlib

import pytest
import yaml
from cfnlint.decode import cfn_yaml
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

ROOT = pathlib.Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "docs" / "openapi.yaml"
ERROR_STATUSES = {"400", "404", "409", "413", "422", "502", "503", "504"}


@pytest.fixture(scope="module")
def spec():
    with SPEC_PATH.open() as handle:
        return yaml.safe_load(handle)


def template_routes():
    template = cfn_yaml.load(str(ROOT / "template.yaml"))
    routes = set()
    for resource in template["Resources"].values():
        for event in resource.get("Properties", {}).get("Events", {}).values():
            if event["Type"] == "HttpApi":
                routes.add((event["Properties"]["Method"].lower(), event["Properties"]["Path"]))
    return routes


def test_spec_is_valid_openapi_31(spec):
    document, _ = read_from_filename(str(SPEC_PATH))

    validate(document)
    assert spec["openapi"].startswith("3.1")


def test_spec_routes_match_template(spec):
    documented = {
        (method, path)
        for path, item in spec["paths"].items()
        for method in item
        if method in {"get", "post", "put", "delete", "patch"}
    }

    assert documented == template_routes()


def test_error_responses_use_error_shape(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            for status, response in operation["responses"].items():
                if status not in ERROR_STATUSES:
                    continue
                name = response["$ref"].rsplit("/", 1)[-1]
                schema = spec["components"]["responses"][name]["content"]["application/json"]["schema"]

                assert schema == {"$ref": "#/components/schemas/Error"}, f"{method} {path} {status}"


def test_error_schema_fields(spec):
    error = spec["components"]["schemas"]["Error"]["properties"]["error"]

    assert error["required"] == ["code", "message"]
    assert set(error["properties"]) == {"code", "message", "field", "details"}


def test_credentials_never_readable(spec):
    instance = spec["components"]["schemas"]["Instance"]["allOf"][1]
    credentials = instance["properties"]["credentials"]["properties"]

    assert credentials == {
        "magento": {"type": "string", "const": "stored"},
        "odoo": {"type": "string", "const": "stored"},
    }


def test_customer_result_fields(spec):
    """The create, update and pull handlers return these keys; their tests pin the same list."""
    result = spec["components"]["schemas"]["CustomerResult"]

    assert set(result["properties"]) == {
        "instance_id",
        "magento_id",
        "odoo_partner_id",
        "outcome",
        "reason",
        "warnings",
        "conflict",
    }


CREATE_PATH = "/instances/{instance_id}/customers"


def create_body_validator(spec):
    """Validates a create body against the route's schema, with `$ref`s resolved in the spec."""
    schema = spec["paths"][CREATE_PATH]["post"]["requestBody"]["content"]["application/json"]["schema"]
    return OAS31Validator({**schema, "components": spec["components"]})


def test_create_examples_match_schema(spec):
    examples = spec["paths"][CREATE_PATH]["post"]["requestBody"]["content"]["application/json"]["examples"]
    validator = create_body_validator(spec)

    assert set(examples) == {"fromPartner", "form", "magentoNames"}
    for name, example in examples.items():
        errors = [error.message for error in validator.iter_errors(example["value"])]
        assert errors == [], name


@pytest.mark.parametrize("path", sorted((ROOT / "events" / "create-customer").glob("*.json")), ids=lambda path: path.name)
def test_create_events_match_schema(spec, path):
    body = json.loads(json.loads(path.read_text())["body"])

    errors = [error.message for error in create_body_validator(spec).iter_errors(body)]

    assert errors == []


def test_create_schema_rejects_unknown_field(spec):
    body = {"firstname": "Ann", "lastname": "Lee", "email": "ann@example.com", "gender": 1}

    assert not create_body_validator(spec).is_valid(body)
