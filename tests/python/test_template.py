"""Checks of template.yaml: both linters clean, and the deployment rules they cannot see."""

import os
import pathlib
import shutil
import subprocess
import sys

import pytest
from cfnlint.decode import cfn_yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
VENV_BIN = pathlib.Path(sys.executable).parent

FUNCTIONS = {
    "InstancesFunction": "instances",
    "CustomersFunction": "customers",
    "CreateCustomerFunction": "create-customer",
    "UpdateCustomerFunction": "update-customer",
    "PullCustomerFunction": "pull-customer",
    "SyncCustomersFunction": "sync-customers",
}
READ_ONLY_FUNCTIONS = {"CustomersFunction"}


def tool(name):
    path = VENV_BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} not found next to {sys.executable} or on PATH; run `make venv`")
    return found


@pytest.fixture(scope="module")
def template():
    return cfn_yaml.load(str(TEMPLATE))


def test_cfn_lint_clean():
    result = subprocess.run(
        [tool("cfn-lint"), str(TEMPLATE)], capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_sam_validate_lint_clean():
    environment = dict(os.environ, AWS_DEFAULT_REGION="us-east-1", SAM_CLI_TELEMETRY="0")

    result = subprocess.run(
        [tool("sam"), "validate", "--lint", "--template-file", str(TEMPLATE)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env=environment,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "is a valid SAM Template" in result.stdout + result.stderr


def test_http_api_uses_iam(template):
    auth = template["Resources"]["HttpApi"]["Properties"]["Auth"]

    assert auth["DefaultAuthorizer"] == "AWS_IAM"
    assert auth["EnableIamAuthorizer"] is True


def test_function_runtime_settings(template):
    globals_ = template["Globals"]["Function"]

    assert globals_["Runtime"] == "provided.al2023"
    assert globals_["Architectures"] == ["arm64"]
    assert globals_["Handler"] == "bootstrap"
    assert globals_["LoggingConfig"]["LogFormat"] == "JSON"


def test_log_level_never_drops_metric_lines(template):
    """Lambda counts a JSON line without a "level" key, such as an EMF line, as INFO and
    drops it below the application log level, so that level stays at TRACE and the
    functions read their own level from LOG_LEVEL."""
    globals_ = template["Globals"]["Function"]

    assert globals_["LoggingConfig"]["ApplicationLogLevel"] == "TRACE"
    assert globals_["Environment"]["Variables"]["LOG_LEVEL"] == {"Ref": "LogLevel"}


@pytest.mark.parametrize("resource, binary", FUNCTIONS.items())
def test_function_builds_with_cargo_lambda(template, resource, binary):
    function = template["Resources"][resource]

    assert function["Metadata"]["BuildMethod"] == "rust-cargolambda"
    assert function["Metadata"]["BuildProperties"]["Binary"] == binary
    assert (ROOT / "functions" / binary / "Cargo.toml").exists()


@pytest.mark.parametrize("resource", READ_ONLY_FUNCTIONS)
def test_read_only_function_policies(template, resource):
    policies = template["Resources"][resource]["Properties"]["Policies"]

    assert policies == [{"DynamoDBReadPolicy": {"TableName": {"Ref": "Table"}}}]


def test_secret_access_scoped(template):
    for resource in FUNCTIONS:
        for policy in template["Resources"][resource]["Properties"]["Policies"]:
            for statement in policy.get("Statement", []):
                actions = statement["Action"]
                actions = actions if isinstance(actions, list) else [actions]
                if not any(action.startswith("secretsmanager:") for action in actions):
                    continue

                assert "*" not in "".join(actions), resource
                assert statement["Resource"]["Fn::Sub"].endswith(":secret:magento-odoo/*"), resource


def test_only_sync_invokes_lambda(template):
    for resource in FUNCTIONS:
        policies = template["Resources"][resource]["Properties"]["Policies"]
        invokes = [policy for policy in policies if "LambdaInvokePolicy" in policy]

        if resource == "SyncCustomersFunction":
            function_name = template["Resources"][resource]["Properties"]["FunctionName"]
            assert invokes == [{"LambdaInvokePolicy": {"FunctionName": function_name}}]
        else:
            assert invokes == [], resource


def test_table_matches_store_schema(template):
    table = template["Resources"]["Table"]["Properties"]
    index = table["GlobalSecondaryIndexes"][0]

    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["KeySchema"] == [
        {"AttributeName": "PK", "KeyType": "HASH"},
        {"AttributeName": "SK", "KeyType": "RANGE"},
    ]
    assert index["IndexName"] == "GSI1"
    assert index["KeySchema"] == [
        {"AttributeName": "GSI1PK", "KeyType": "HASH"},
        {"AttributeName": "GSI1SK", "KeyType": "RANGE"},
    ]
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


def test_schedule_has_input_and_rate_parameter(template):
    events = template["Resources"]["SyncCustomersFunction"]["Properties"]["Events"]
    schedule = events["PullSchedule"]

    assert schedule["Type"] == "ScheduleV2"
    assert schedule["Properties"]["ScheduleExpression"] == {"Ref": "PullScheduleExpression"}
    assert schedule["Properties"]["Input"] == '{"action": "scheduled_pull"}'
