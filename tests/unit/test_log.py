from __future__ import annotations

import logging

import pytest

from agentdesk import log as agentdesk_log

SECRETS = [
    ('Authorization: Digest username="agent1", realm="agentdesk.test", nonce="abc", '
     'uri="sip:127.0.0.1", response="6629fae49393a05397450978507c4ef1"', "6629fae49393a05397450978507c4ef1"),
    ('Proxy-Authorization: Digest username="agent1", response="deadbeefcafe0123"', "deadbeefcafe0123"),
    ("GET /v1/me Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig", "eyJhbGciOiJIUzI1NiJ9"),
    ('{"user": "agent1", "password": "hunter2"}', "hunter2"),
    ("password=hunter3&user=agent1", "hunter3"),
    ("refresh_token: r-0123456789", "r-0123456789"),
    # SRTP master keys (SDES): the SDP's a=crypto and pjsip's own key lines
    ("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:32",
     "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"),
    ("TX: AES_256_CM_HMAC_SHA1_80 key=2EfGjgOcE6p6kvFXsnNmVUxDB9jnk5520vnPwH7wW3AOd8C0s1QEfBgv2qzflg==",
     "2EfGjgOcE6p6kvFXsnNmVUxDB9jnk5520vnPwH7wW3AOd8C0s1QEfBgv2qzflg"),
]


@pytest.mark.parametrize(("line", "secret"), SECRETS)
def test_redact(line: str, secret: str) -> None:
    out = agentdesk_log.redact(line)
    assert secret not in out
    assert agentdesk_log.REDACTED in out


def test_redact_leaves_ordinary_lines_alone() -> None:
    line = "REGISTER sip:127.0.0.1:5060 SIP/2.0 from agent1, 200 OK in 12 ms"
    assert agentdesk_log.redact(line) == line


def test_nothing_secret_reaches_the_log_file() -> None:
    path = agentdesk_log.setup(file_name="test.log", to_stderr=False)
    logger = logging.getLogger("agentdesk.test")
    logger.info("sent %s", SECRETS[0][0])
    logger.warning("login with password=%s", "hunter2")
    try:
        raise ValueError("token=abc123secret")
    except ValueError:
        logger.exception("failed")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text(encoding="utf-8")
    assert "sent Authorization: ***" in text
    for secret in ("6629fae49393a05397450978507c4ef1", "hunter2", "abc123secret"):
        assert secret not in text
    assert "failed" in text and "ValueError" in text
