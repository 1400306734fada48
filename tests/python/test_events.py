"""Checks of the sample events in events/: one directory per function, and the shapes
that API Gateway HTTP APIs (payload 2.0) and EventBridge Scheduler send."""

import json
import pathlib

import pytest
from cfnlint.decode import cfn_yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
EVENTS = ROOT / "events"
EVENT_FILES = sorted(EVENTS.rglob("*.json"))
HTTP_EVENT_FILES = [path for path in EVENT_FILES if "requestContext" in json.loads(path.read_text())]
HTTP_KEYS = {"version", "routeKey", "rawPath", "rawQueryString", "headers", "requestContext", "isBase64Encoded"}


def is_http(event):
    return "requestContext" in event


def template_routes():
    template = cfn_yaml.load(str(ROOT / "template.yaml"))
    routes = {}
    for resource in template["Resources"].values():
        binary = resource.get("Metadata", {}).get("BuildProperties", {}).get("Binary")
        for event in resource.get("Properties", {}).get("Events", {}).values():
            if event["Type"] == "HttpApi":
                route = f'{event["Properties"]["Method"]} {event["Properties"]["Path"]}'
                routes[route] = binary
    return routes, template


def test_events_exist():
    assert EVENT_FILES, "events/ holds no JSON files"


@pytest.mark.parametrize("path", EVENT_FILES, ids=lambda path: str(path.relative_to(EVENTS)))
def test_event_belongs_to_a_function(path):
    function = path.parent.name

    assert path.parent.parent == EVENTS
    assert (ROOT / "functions" / function / "Cargo.toml").exists(), function


@pytest.mark.parametrize("path", HTTP_EVENT_FILES, ids=lambda path: str(path.relative_to(EVENTS)))
def test_http_event_shape(path):
    event = json.loads(path.read_text())
    routes, _ = template_routes()

    assert HTTP_KEYS <= set(event)
    assert event["version"] == "2.0"
    assert event["routeKey"] == event["requestContext"]["routeKey"]
    assert routes.get(event["routeKey"]) == path.parent.name, event["routeKey"]
    assert event["requestContext"]["http"]["method"] == event["routeKey"].split(" ")[0]
    assert event["requestContext"]["http"]["path"] == event["rawPath"]
    assert "iam" in event["requestContext"]["authorizer"]


def test_every_route_has_an_event():
    routes, _ = template_routes()
    covered = {
        json.loads(path.read_text())["routeKey"]
        for path in EVENT_FILES
        if is_http(json.loads(path.read_text()))
    }

    assert covered == set(routes)


def test_schedule_event_matches_template_input():
    _, template = template_routes()
    schedule = template["Resources"]["SyncCustomersFunction"]["Properties"]["Events"]["PullSchedule"]
    scheduled = json.loads((EVENTS / "sync-customers" / "scheduled-pull.json").read_text())

    assert scheduled == json.loads(schedule["Properties"]["Input"])
