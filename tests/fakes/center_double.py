"""A test double of an AgentDesk center: the whole of docs/center-api.yaml over real HTTP on 127.0.0.1, in memory,
with fault injection.

Used by the client's tests, the conformance suite (run against it in CI), the outbox's kill -9 test and the
benchmarks; the desktop and packaging work may reuse it. Start it with ``CenterDouble().start()``; it listens on
a free loopback port (``.url``), and can be stopped and started again on the same port with its memory intact, to
play a center that goes away and comes back.

Faults (``double.faults``): ``delay`` (seconds before any answer: "no answer"), and counts of the next requests to
answer with ``status_500``, ``garbage`` (a 200 whose body is not JSON), ``wrong_content_type`` (an HTML page, as a
hotspot login would), ``drop`` (close the connection without answering), ``drop_after_commit`` (record the write,
then close without answering: the client cannot know it arrived), and ``sse_drop_after`` (close each event stream
after that many events). ``only_path`` limits the counted faults to paths starting with it.

Run by hand: ``python -m tests.fakes.center_double --port 8765``.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as dtime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

from agentdesk.center import wire
from agentdesk.center.api import (
    ContractInfo,
    EscalationTarget,
    Provisioning,
    ReasonCode,
    ScriptPackage,
    SipAccount,
    WrapUpCode,
)
from agentdesk.i18n import Text

DEFAULT_AGENT = "agent-001"
DEFAULT_SECRET = "double-secret"  # a test double's fixed credential: not a real secret
DEFAULT_LINE = "+81312345678"


def default_provisioning() -> Provisioning:
    return Provisioning(
        center_name="Test double center",
        sip=SipAccount(user="agent-001", domain="127.0.0.1", registrars=["sip:127.0.0.1:5060"]),
        service_hours=(dtime(10, 0), dtime(17, 0)),
        reason_codes=[
            ReasonCode("lunch", Text(ja="昼休憩", en="Lunch break"), kind="break", max_minutes=60),
            ReasonCode("training", Text(ja="研修", en="Training")),
        ],
        wrap_up_codes=[
            WrapUpCode("resolved", Text(ja="解決", en="Resolved")),
            WrapUpCode("escalated", Text(ja="エスカレーション", en="Escalated")),
        ],
        wrap_up_required=True,
        escalation_targets=[
            EscalationTarget("tier2", Text(ja="センター（2次対応）", en="Center (tier 2)"), "sip:tier2@127.0.0.1:5070")
        ],
        trainers=["sip:trainer@127.0.0.1"],
        script_packages=[
            ScriptPackage("isp-basic", "2026.11.1", "https://center.example.jp/scripts/isp-basic-2026.11.1.zip", "0" * 64)
        ],
    )


def default_contracts() -> dict[str, ContractInfo]:
    return {
        "C-1001": ContractInfo("C-1001", plan="光ファイバー 1G マンション", line_type="FTTH", equipment=["ONU", "Wi-Fi ルーター"]),
        "C-1002": ContractInfo("C-1002", plan="ADSL 12M", line_type="ADSL", equipment=["ADSL モデム"]),
    }


@dataclass
class Faults:
    delay: float = 0.0
    status_500: int = 0
    garbage: int = 0
    wrong_content_type: int = 0
    drop: int = 0
    drop_after_commit: int = 0
    sse_drop_after: int | None = None
    only_path: str = ""

    def clear(self) -> None:
        self.__init__()  # type: ignore[misc]


@dataclass
class Record:
    kind: str
    key: str
    payload: dict[str, Any]
    agent_id: str
    at: float = field(default_factory=time.monotonic)


@dataclass
class LegState:
    number: str = ""
    leg: str = "idle"
    call_id: str = ""


class CenterDouble:
    def __init__(
        self,
        *,
        accounts: dict[str, str] | None = None,
        provisioning: Provisioning | None = None,
        contracts: dict[str, ContractInfo] | None = None,
        access_ttl: int = 3600,
        heartbeat: float = 0.5,
        landline_answer_delay: float | None = 0.05,
        tls: tuple[str, str] | None = None,
    ) -> None:
        self.tls = tls  # (certificate file, key file): serve HTTPS
        self.accounts = dict(accounts or {DEFAULT_AGENT: DEFAULT_SECRET})
        self.provisioning = provisioning or default_provisioning()
        self.contracts = dict(contracts or default_contracts())
        self.access_ttl = access_ttl
        self.heartbeat = heartbeat
        self.landline_answer_delay = landline_answer_delay
        self.faults = Faults()
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.tokens: dict[str, tuple[str, float]] = {}  # access token -> (agent, expires at)
        self.refresh_tokens: dict[str, str] = {}
        self.records: list[Record] = []
        self.idempotency: dict[str, tuple[str, int, Any]] = {}  # key -> (request fingerprint, status, body)
        self.replays = 0
        self.requests: list[tuple[str, str, dict[str, str]]] = []  # (method, path, headers) seen
        self.states: dict[str, tuple[str, str | None]] = {}
        self.tickets: dict[str, dict[str, Any]] = {}
        self.call_actions: list[tuple[str, str, str]] = []
        self.lines: dict[str, LegState] = {}
        self.events: list[tuple[int, str, dict[str, Any], str]] = []  # (id, kind, data, agent or "" for all)
        self._ids = itertools.count(1)
        self._tickets = itertools.count(1)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self.stopping = threading.Event()
        self.sse_connections = 0

    # ---- life cycle -----------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def start(self) -> CenterDouble:
        double = self

        class Handler(_Handler):
            center = double

        server = _Server(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        if self.tls:
            import ssl

            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.tls)
            server.socket = context.wrap_socket(server.socket, server_side=True)
        self.port = server.server_address[1]
        self.stopping.clear()
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """The center goes away: no more connections on its port (its memory stays for a later start())."""
        self.stopping.set()
        with self.changed:
            self.changed.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server.close_connections()  # a center that goes away takes its open connections with it
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> CenterDouble:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- what tests look at / do ----------------------------------------------------------------------------

    def records_of(self, kind: str) -> list[Record]:
        with self.lock:
            return [r for r in self.records if r.kind == kind]

    def publish(self, kind: str, data: dict[str, Any], agent_id: str = "") -> int:
        with self.changed:
            event_id = next(self._ids)
            data = {**data, "at": data.get("at") or datetime.now(UTC).isoformat()}
            self.events.append((event_id, kind, data, agent_id))
            self.changed.notify_all()
            return event_id

    def offer_fixed_line_call(self, agent_id: str, call_id: str, contract_id: str = "") -> None:
        """A customer call for an agent in fixed-line mode: the center rings the agent's landline."""
        with self.lock:
            line = self.lines.setdefault(agent_id, LegState())
            line.call_id = call_id
            self._set_leg(agent_id, "ringing")
        self.publish(
            "fixed_line_offer", {"call_id": call_id, "contract_id": contract_id, "number": line.number}, agent_id
        )
        self._answer_later(agent_id)

    def drop_leg(self, agent_id: str) -> None:
        """The landline leg breaks (the agent's line, not the customer's)."""
        with self.lock:
            self._set_leg(agent_id, "dropped")

    def _set_leg(self, agent_id: str, leg: str) -> None:
        with self.lock:
            line = self.lines.setdefault(agent_id, LegState())
            line.leg = leg
            data = {"number": line.number, "leg": leg, "call_id": line.call_id}
        self.publish("fixed_line_leg", data, agent_id)

    def _answer_later(self, agent_id: str) -> None:
        if self.landline_answer_delay is None:
            return

        def answer() -> None:
            time.sleep(self.landline_answer_delay or 0)
            with self.lock:
                if self.lines.get(agent_id, LegState()).leg in ("ringing", "reconnecting"):
                    self._set_leg(agent_id, "connected")

        threading.Thread(target=answer, daemon=True).start()

    # ---- request handling (called from handler threads) -----------------------------------------------------

    def take_fault(self, path: str) -> str | None:
        with self.lock:
            f = self.faults
            if f.only_path and not path.startswith(f.only_path):
                return None
            for name in ("status_500", "garbage", "wrong_content_type", "drop", "drop_after_commit"):
                if getattr(f, name) > 0:
                    if name == "drop_after_commit":
                        return name  # counted down when a write commits
                    setattr(f, name, getattr(f, name) - 1)
                    return name
        return None

    def agent_of(self, headers: dict[str, str]) -> tuple[str | None, str]:
        auth = headers.get("authorization", "")
        if not auth.startswith("Bearer "):
            return None, "unauthorized"
        with self.lock:
            entry = self.tokens.get(auth[7:])
        if entry is None:
            return None, "unauthorized"
        if entry[1] < time.monotonic():
            return None, "token_expired"
        return entry[0], ""

    def issue_tokens(self, agent_id: str) -> dict[str, Any]:
        access = secrets.token_urlsafe(16)
        refresh = secrets.token_urlsafe(16)
        with self.lock:
            self.tokens[access] = (agent_id, time.monotonic() + self.access_ttl)
            self.refresh_tokens[refresh] = agent_id
        return {"access_token": access, "refresh_token": refresh, "expires_in": self.access_ttl, "token_type": "Bearer"}


class _Server(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, *args: Any) -> None:
        self.open_connections: set[Any] = set()
        self.connections_lock = threading.Lock()
        super().__init__(*args)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:
            self.open_connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.open_connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self.connections_lock:
            connections = list(self.open_connections)
        for sock in connections:
            with contextlib.suppress(OSError):
                sock.shutdown(2)


def _err(code: str, ja: str, en: str, retryable: bool = False) -> dict[str, Any]:
    return wire.error_body(code, Text(ja=ja, en=en), retryable)


class _Handler(BaseHTTPRequestHandler):
    center: CenterDouble
    protocol_version = "HTTP/1.1"
    server_version = "AgentDeskCenterDouble/1"
    disable_nagle_algorithm = True  # headers and body are separate writes: no 40 ms delayed-ACK stall

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    # ---- helpers --------------------------------------------------------------------------------------------

    def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        payload = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if payload:
            self.wfile.write(payload)

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(2)

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return {}
        try:
            return json.loads(raw)
        except ValueError:
            return _BadJson

    def _handle(self, method: str) -> None:
        c = self.center
        path = unquote(self.path.split("?")[0])
        headers = {k.lower(): v for k, v in self.headers.items()}
        with c.lock:
            c.requests.append((method, path, headers))
        body = self._body() if method in ("POST", "PUT") else None
        if c.faults.delay:
            time.sleep(c.faults.delay)
        fault = c.take_fault(path)
        if fault == "drop":
            return self._drop()
        if fault == "status_500":
            return self._send(500, _err("internal", "センター内部のエラーです。", "Internal center error.", True))
        if fault == "garbage":
            junk = b"\x00\xffnot json{{"
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(junk)))
            self.end_headers()
            self.wfile.write(junk)
            return None
        if fault == "wrong_content_type":
            page = "<html><body>Hotspot login / ログインしてください</body></html>".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)
            return None
        if body is _BadJson:
            return self._send(400, _err("bad_request", "要求の形式が正しくありません。", "The request is not JSON."))
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            route(self, c, method, path, headers, body, fault)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")


class _BadJsonType:
    pass


_BadJson = _BadJsonType()

NOT_FOUND = ("not_found", "見つかりません。", "Not found.")


def route(
    h: _Handler, c: CenterDouble, method: str, path: str, headers: dict[str, str], body: Any, fault: str | None
) -> None:
    if method == "POST" and path == "/v1/sessions":
        return _sign_in(h, c, body)
    if method == "POST" and path == "/v1/sessions/refresh":
        token = body.get("refresh_token") if isinstance(body, dict) else None
        with c.lock:
            agent = c.refresh_tokens.pop(token, None) if isinstance(token, str) else None
        if agent is None:
            return h._send(401, _err("signed_out", "再ログインが必要です。", "Please sign in again."))
        return h._send(200, c.issue_tokens(agent))
    agent, problem = c.agent_of(headers)
    if agent is None:
        return h._send(
            401,
            _err(problem, "ログインの有効期限が切れました。", "The sign-in has expired.")
            if problem == "token_expired"
            else _err(problem, "ログインしていません。", "Not signed in."),
        )
    if method == "DELETE" and path == "/v1/sessions/current":
        with c.lock:
            c.tokens.pop(headers.get("authorization", "")[7:], None)
        return h._send(204)
    if method == "GET" and path == "/v1/provisioning":
        return h._send(200, _provisioning_for(c, agent))
    if method == "PUT" and path == "/v1/agent/state":
        state = body.get("state") if isinstance(body, dict) else None
        reason = body.get("reason") if isinstance(body, dict) else None
        if state not in wire.AGENT_STATES or not (reason is None or isinstance(reason, str)):
            return h._send(422, _err("invalid", "状態が正しくありません。", "Unknown agent state."))
        with c.lock:
            c.states[agent] = (state, reason)
        return h._send(204)
    if method == "GET" and path.startswith("/v1/contracts/"):
        contract = c.contracts.get(path.rsplit("/", 1)[1])
        if contract is None:
            return h._send(404, _err(*NOT_FOUND))
        return h._send(200, wire.contract_to_wire(contract))
    if method == "GET" and path == "/v1/events":
        return _events(h, c, agent, headers)
    if method == "GET" and path == "/v1/fixed-line":
        return h._send(200, _line_body(c, agent))
    if method == "POST":
        key = headers.get("idempotency-key", "")
        if not key:
            return h._send(400, _err("idempotency_key_missing", "Idempotency-Key がありません。", "Idempotency-Key is required."))
        fingerprint = json.dumps([path, body], sort_keys=True)
        with c.lock:
            seen = c.idempotency.get(key)
            if seen is not None:
                if seen[0] != fingerprint:
                    return h._send(
                        422, _err("idempotency_key_reused", "同じキーで別の内容が送られました。", "Key reused for another request.")
                    )
                c.replays += 1
                return h._send(seen[1], seen[2], {"Idempotent-Replayed": "true"})
            status, answer = _write(c, agent, path, key, body)
            if 200 <= status < 300:
                c.idempotency[key] = (fingerprint, status, answer)
                if c.faults.drop_after_commit > 0:
                    c.faults.drop_after_commit -= 1
                    return h._drop()
        return h._send(status, answer)
    return h._send(404, _err(*NOT_FOUND))


def _sign_in(h: _Handler, c: CenterDouble, body: Any) -> None:
    if not isinstance(body, dict):
        return h._send(400, _err("bad_request", "要求の形式が正しくありません。", "Bad request."))
    agent, secret = body.get("agent_id"), body.get("secret")
    if not isinstance(agent, str) or c.accounts.get(agent) != secret:
        return h._send(
            401, _err("bad_credentials", "ID またはパスワードが違います。", "The agent ID or password is wrong.")
        )
    mode = body.get("mode", "softphone")
    if mode not in ("softphone", "fixed_line"):
        return h._send(422, _err("invalid", "モードが正しくありません。", "Unknown mode."))
    if mode == "fixed_line":
        number = body.get("fixed_line_number")
        from agentdesk.center.fixed_line import validate_fixed_line

        checked = validate_fixed_line(number if isinstance(number, str) else "")
        if not checked.ok:
            assert checked.problem is not None
            return h._send(422, wire.error_body("not_a_fixed_line", checked.problem))
        with c.lock:
            line = c.lines.setdefault(agent, LegState())
            line.number = checked.e164
            line.leg = "idle"
    with c.lock:
        c.states[agent] = ("not_ready", None)
    answer = c.issue_tokens(agent)
    answer["provisioning"] = _provisioning_for(c, agent, mode)
    return h._send(200, answer)


def _provisioning_for(c: CenterDouble, agent: str, mode: str | None = None) -> dict[str, Any]:
    body = wire.provisioning_to_wire(c.provisioning)
    if mode is None:
        with c.lock:
            mode = "fixed_line" if agent in c.lines and c.lines[agent].number else "softphone"
    body["mode"] = mode
    if mode == "fixed_line":
        body["sip"] = None  # the voice goes over the landline
    return body


def _line_body(c: CenterDouble, agent: str) -> dict[str, Any]:
    with c.lock:
        line = c.lines.get(agent)
        if line is None or not line.number:
            return {"number": "", "leg": "idle", "call_id": ""}
        return {"number": line.number, "leg": line.leg, "call_id": line.call_id}


def _write(c: CenterDouble, agent: str, path: str, key: str, body: Any) -> tuple[int, Any]:
    if not isinstance(body, dict):
        return 400, _err("bad_request", "要求の形式が正しくありません。", "The body must be an object.")
    kinds = {v: k for k, v in wire.SUBMIT_PATHS.items()}
    if path in kinds:
        c.records.append(Record(kinds[path], key, body, agent))
        return 201, {"id": f"R-{len(c.records)}", "idempotency_key": key}  # the WriteReceipt
    if path == "/v1/escalations":
        ticket = f"T-{next(c._tickets):05d}"
        c.tickets[ticket] = body.get("context", {})
        return 201, {"ticket_id": ticket}
    if path == "/v1/fixed-line/reconnect":
        line = c.lines.get(agent)
        if line is None or not line.number:
            return 409, _err("not_fixed_line", "固定電話モードではありません。", "Not signed in in fixed-line mode.")
        c._set_leg(agent, "reconnecting")
        c._answer_later(agent)
        return 200, {"number": line.number, "leg": "reconnecting", "call_id": line.call_id}
    if path.startswith("/v1/calls/"):
        parts = path.split("/")
        if len(parts) != 5 or parts[4] not in wire.CALL_ACTIONS:
            return 404, _err(*NOT_FOUND)
        call_id, action = parts[3], parts[4]
        line = c.lines.get(agent)
        if line is None or line.call_id != call_id:
            return 404, _err("no_such_call", "その通話はありません。", "No such call.")
        c.call_actions.append((call_id, action, str(body.get("target", ""))))
        if action == "hold":
            c._set_leg(agent, "held")
        elif action == "resume":
            c._set_leg(agent, "connected")
        else:  # escalate or hangup: the customer leaves the agent's line
            line.call_id = ""
            c._set_leg(agent, "idle")
        return 204, None
    return 404, _err(*NOT_FOUND)


def _events(h: _Handler, c: CenterDouble, agent: str, headers: dict[str, str]) -> None:
    last = headers.get("last-event-id", "")
    last_id = int(last) if last.isdigit() else None
    with c.lock:  # the position is fixed before the client can know it is connected
        c.sse_connections += 1
        if last_id is None:
            last_id = c.events[-1][0] if c.events else 0
    h.send_response(200)
    h.send_header("Content-Type", "text/event-stream; charset=utf-8")
    h.send_header("Cache-Control", "no-cache")
    h.send_header("Connection", "close")
    h.end_headers()
    h.close_connection = True
    sent = 0
    limit = c.faults.sse_drop_after
    w = h.wfile
    try:
        # the position comes first, so a client that saw no event yet still resumes from here after a drop
        w.write(f"retry: 200\nid: {last_id}\nevent: hello\ndata: {{}}\n\n".encode())
        w.flush()
        next_beat = time.monotonic() + c.heartbeat
        while not c.stopping.is_set():
            with c.changed:
                pending = [e for e in c.events if e[0] > last_id and e[3] in ("", agent)]
                if not pending:
                    c.changed.wait(timeout=max(0.01, next_beat - time.monotonic()))
                    pending = [e for e in c.events if e[0] > last_id and e[3] in ("", agent)]
            for event_id, kind, data, _ in pending:
                w.write(f"id: {event_id}\nevent: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode())
                w.flush()
                last_id = event_id
                sent += 1
                if limit is not None and sent >= limit:
                    h._drop()
                    return
            if time.monotonic() >= next_beat:
                w.write(b": ping\n\n")
                w.flush()
                next_beat = time.monotonic() + c.heartbeat
    except OSError:
        return


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the AgentDesk center test double on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    double = CenterDouble()
    double.port = args.port
    double.start()
    print(f"center double on {double.url} (agent {DEFAULT_AGENT})", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        double.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
