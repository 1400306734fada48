"""Checks of docs/openapi.yaml: a valid OpenAPI 3.1 document that covers every route of the template."""

import pathlib

import pytest
import yaml
from cfnlint.decode import cfn_yaml
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
