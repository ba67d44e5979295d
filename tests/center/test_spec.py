"""docs/center-api.yaml, the wire mapping and the outbox's allow-list say the same thing."""

from __future__ import annotations

from typing import Any

import jsonschema
import yaml

from agentdesk.center import wire
from agentdesk.center.outbox import SCHEMAS
from tests.center.conformance.conftest import SPEC_PATH, Validate
from tests.fakes.center_double import default_contracts, default_provisioning

SPEC: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
KIND_SCHEMA = {"wrap_up": "WrapUp", "availability": "Availability", "work_log": "WorkLog",
               "self_check": "SelfCheck", "state_change": "StateChange"}


def refs(node: Any):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                yield v
            else:
                yield from refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from refs(v)


def test_is_openapi_3_1_and_every_ref_resolves() -> None:
    assert SPEC["openapi"].startswith("3.1")
    for ref in set(refs(SPEC)):
        node: Any = SPEC
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
    for schema in SPEC["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)


def test_every_path_the_client_uses_is_in_the_contract() -> None:
    paths = set(SPEC["paths"])
    assert set(wire.SUBMIT_PATHS.values()) <= paths
    assert {"/v1/sessions", "/v1/sessions/refresh", "/v1/provisioning", "/v1/agent/state", "/v1/events",
            "/v1/contracts/{contract_id}", "/v1/escalations", "/v1/fixed-line", "/v1/fixed-line/reconnect",
            "/v1/calls/{call_id}/{action}"} <= paths
    assert all(p.startswith("/v1/") for p in paths)


def test_wire_shapes_fit_the_schemas() -> None:
    validate = Validate(SPEC)
    validate(wire.provisioning_to_wire(default_provisioning()), "Provisioning")
    for c in default_contracts().values():
        validate(wire.contract_to_wire(c), "Contract")
    assert wire.provisioning_from_wire(wire.provisioning_to_wire(default_provisioning())) == default_provisioning()


def test_the_outbox_allow_list_is_the_contracts_fields() -> None:
    for kind, schema_name in KIND_SCHEMA.items():
        assert set(SCHEMAS[kind]) == set(SPEC["components"]["schemas"][schema_name]["properties"]), kind
    assert set(KIND_SCHEMA) == set(SCHEMAS) == set(wire.SUBMIT_PATHS)
