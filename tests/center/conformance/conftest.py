"""Where the conformance suite points: ``AGENTDESK_CENTER_URL`` (a center under test) or, when unset, the project's
test double started here.

    AGENTDESK_CENTER_URL=https://center.example.jp \\
    AGENTDESK_CENTER_AGENT=agent-001 AGENTDESK_CENTER_SECRET=... \\
    AGENTDESK_CENTER_CONTRACT=C-1001 AGENTDESK_CENTER_FIXED_LINE=03-1234-5678 \\
    [AGENTDESK_CENTER_CA=/path/ca.pem] pytest tests/center/conformance

The agent account must be a test account: the suite records a state change and a few test writes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml

from tests.fakes.center_double import DEFAULT_AGENT, DEFAULT_SECRET, CenterDouble

SPEC_PATH = Path(__file__).resolve().parents[3] / "docs" / "center-api.yaml"


@dataclass(frozen=True)
class Target:
    url: str
    agent: str
    secret: str
    contract: str
    fixed_line: str
    verify: Any


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def target() -> Iterator[Target]:
    url = os.environ.get("AGENTDESK_CENTER_URL", "")
    double = None
    if not url:
        double = CenterDouble(heartbeat=0.5).start()
        url = double.url
    ca = os.environ.get("AGENTDESK_CENTER_CA", "")
    yield Target(
        url=url.rstrip("/"),
        agent=os.environ.get("AGENTDESK_CENTER_AGENT", DEFAULT_AGENT),
        secret=os.environ.get("AGENTDESK_CENTER_SECRET", DEFAULT_SECRET),
        contract=os.environ.get("AGENTDESK_CENTER_CONTRACT", "C-1001"),
        fixed_line=os.environ.get("AGENTDESK_CENTER_FIXED_LINE", "03-1234-5678"),
        verify=ca or True,
    )
    if double is not None:
        double.stop()


@pytest.fixture
def http(target: Target) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=target.url, timeout=10, verify=target.verify) as client:
        yield client


@pytest.fixture
def session(http: httpx.Client, target: Target) -> dict[str, Any]:
    r = http.post("/v1/sessions", json={"agent_id": target.agent, "secret": target.secret})
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture
def authed(http: httpx.Client, session: dict[str, Any]) -> httpx.Client:
    http.headers["Authorization"] = f"Bearer {session['access_token']}"
    return http


class Validate:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec

    def __call__(self, instance: Any, schema_name: str) -> None:
        schema = {"components": self.spec["components"], "$ref": f"#/components/schemas/{schema_name}"}
        jsonschema.Draft202012Validator(schema).validate(instance)


@pytest.fixture
def validate(spec: dict[str, Any]) -> Validate:
    return Validate(spec)
