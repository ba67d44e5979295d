"""The encryption self-check against Kamailio's TLS listener (the same verification as the phone engine's relay),
and through the shipped CLI (``agentdesk check encryption --json``) with the CA from the agent's settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from agentdesk import settings as settings_mod
from agentdesk.checks.base import CheckContext
from agentdesk.checks.encryption import EncryptionCheck
from tests.infra import net
from tests.infra.certs import CENTER_NAME, TestCA
from tests.infra.kamailio import Kamailio, KamailioTls

pytestmark = pytest.mark.sip
ROOT = Path(__file__).resolve().parents[2]


def _ctx(kamailio: Kamailio, transport: str, tls: dict | None = None, srtp: str | None = None) -> CheckContext:
    port = kamailio.tls_port if transport == "tls" else kamailio.port
    ctx = CheckContext(center_host="127.0.0.1", center_port=port, center_transport=transport)
    if tls is not None:
        ctx.extra["tls"] = tls
    if srtp is not None:
        ctx.extra["account"] = {"srtp": srtp}
    return ctx


def test_tls_with_the_provisioned_ca_passes_and_names_the_protocol(kamailio_tls: Kamailio,
                                                                   center_ca: TestCA) -> None:
    res = EncryptionCheck().execute(_ctx(kamailio_tls, "tls", {"ca_pem": center_ca.pem, "server_name": CENTER_NAME}))
    assert res.status == "pass", res.to_json()
    assert res.details["protocol"] == "TLSv1.3" and res.details["encrypted"] is True
    assert res.details["srtp"] == "mandatory" and "TLSv1.3" in res.summary.ja


def test_plain_udp_is_a_warning(kamailio: Kamailio) -> None:
    res = EncryptionCheck().execute(_ctx(kamailio, "udp", srtp="optional"))
    assert res.status == "warn" and res.details["encrypted"] is False and res.details["srtp"] == "off"
    assert "暗号化されていません" in res.summary.ja and res.remedy is not None


def test_srtp_asked_for_over_udp_fails(kamailio: Kamailio) -> None:
    res = EncryptionCheck().execute(_ctx(kamailio, "udp", srtp="mandatory"))
    assert res.status == "fail" and "TLS" in res.summary.ja


def test_tls_without_srtp_is_a_warning(kamailio_tls: Kamailio, center_ca: TestCA) -> None:
    res = EncryptionCheck().execute(_ctx(kamailio_tls, "tls", {"ca_pem": center_ca.pem,
                                                                "server_name": CENTER_NAME}, srtp="off"))
    assert res.status == "warn" and res.details["encrypted"] is True and "SRTP" in res.summary.ja


def test_a_certificate_the_engine_would_refuse_fails_with_its_words(
        kamailio_factory: Callable[..., Kamailio], center_ca: TestCA, tmp_path: Path) -> None:
    server = center_ca.issue("expired", expired=True)
    center = kamailio_factory(tls=KamailioTls(server.cert, server.key, ca=center_ca.path))
    res = EncryptionCheck().execute(_ctx(center, "tls", {"ca_pem": center_ca.pem, "server_name": CENTER_NAME}))
    assert res.status == "fail" and res.details["refused"] == "expired"
    assert "有効期限" in res.summary.ja
    # the OS trust store does not know the test's CA
    res = EncryptionCheck().execute(_ctx(center, "tls", {"server_name": CENTER_NAME}))
    assert res.status == "fail" and res.details["refused"] in ("untrusted", "expired")


def test_unreachable_center_is_skipped_not_passed() -> None:
    ctx = CheckContext(center_host="127.0.0.1", center_port=net.free_port(), center_transport="tls")
    assert EncryptionCheck().execute(ctx).status == "skipped"
    assert EncryptionCheck().execute(CheckContext()).status == "skipped"


def test_cli_reads_the_ca_and_host_name_from_settings(kamailio_tls: Kamailio, center_ca: TestCA) -> None:
    s = settings_mod.Settings()
    s.account.registrars = [kamailio_tls.uri_for("tls")]
    s.account.transport = "tls"
    s.account.tls.ca_pem = center_ca.pem
    s.account.tls.server_name = CENTER_NAME
    settings_mod.save(s)  # in this test's own config directory (isolated_user_dirs)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.run([sys.executable, "-m", "agentdesk", "check", "encryption", "--json"], capture_output=True,
                       text=True, timeout=60, env=env, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    check = json.loads(p.stdout)  # one check: its result, with the details also at the top level
    assert check["name"] == "encryption" and check["status"] == "pass", check
    assert check["details"]["protocol"] == "TLSv1.3" and check["details"]["server_name"] == CENTER_NAME
