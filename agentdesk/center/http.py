"""The AgentDesk Center API client over HTTPS (httpx): the wire contract is docs/center-api.yaml.

- Every request has a timeout (connect, read, write, pool).
- Retries with exponential backoff and full jitter, only where a repeat cannot do harm: GET and PUT, and POSTs
  that carry an ``Idempotency-Key`` (writes, escalation tickets, call control). A POST without a key (sign-in,
  token refresh) is retried only when the connection was never made, so the center cannot have seen it.
- An expired access token is refreshed once with the refresh token, then the request is repeated.
- The event stream (server-sent events) runs on its own thread and reconnects by itself, with backoff and jitter
  and the ``Last-Event-ID`` of the last event seen, so nothing is missed and a thousand agents whose center comes
  back do not all reconnect in the same second.
- TLS certificates are verified (httpx's default; ``verify`` may name a center's own CA bundle, never ``False``).
- Whatever the center does (garbage, a wrong content type, a 500, no answer at all) ends in a
  :class:`CenterError` with a message the agent can read; nothing else escapes.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import random
import socket
import ssl
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx

from agentdesk import __version__
from agentdesk.center import limits, wire
from agentdesk.center.api import (
    AgentStateName,
    CallAction,
    CenterError,
    CenterEvent,
    ContractInfo,
    FixedLineStatus,
    Provisioning,
    backoff_delay,
)
from agentdesk.i18n import Text

log = logging.getLogger(__name__)

UNREACHABLE = Text(
    ja="センターに接続できません。インターネット接続を確認してください。入力した内容は保存され、接続が戻ると送信されます。",
    en="The center cannot be reached. Please check your internet connection. What you entered is kept and sent "
    "when the connection is back.",
)
NO_ANSWER = Text(
    ja="センターから応答がありません（{seconds} 秒待ちました）。しばらくしてからもう一度お試しください。",
    en="The center did not answer (waited {seconds} s). Please try again shortly.",
)
TLS_FAILED = Text(
    ja="センターの証明書を確認できませんでした。安全のため接続を中止しました。センターの担当者に連絡してください。",
    en="The center's certificate could not be verified, so the connection was stopped for safety. "
    "Please contact the center.",
)
WRONG_CONTENT = Text(
    ja="センターの API ではない応答が返りました（{content_type}）。プロキシや公衆 Wi-Fi のログイン画面が間に入っている可能性があります。",
    en="Something other than the center's API answered ({content_type}). A proxy or a hotspot login page may be "
    "in the way.",
)
SIGNED_OUT = Text(
    ja="センターへのログインの有効期限が切れました。もう一度ログインしてください。",
    en="Your sign-in to the center has expired. Please sign in again.",
)
NOT_SIGNED_IN = Text(ja="センターにログインしていません。", en="You are not signed in to the center.")
STREAM_LOST = Text(
    ja="センターからのお知らせの受信が切れました。自動で再接続しています…",
    en="The center's announcements were cut off. Reconnecting automatically...",
)
STREAM_BACK = Text(ja="センターからのお知らせを受信しています。", en="Receiving the center's announcements.")
REDIRECTED = Text(
    ja="センター以外の場所へ転送されました（HTTP {status}）。公衆 Wi-Fi のログイン画面やプロキシが間に入っている可能性があります。"
    "入力した内容は保存され、正しく接続できたときに送信されます。",
    en="The request was redirected away from the center (HTTP {status}). A hotspot login page or a proxy may be in "
    "the way. What you entered is kept and sent once the center itself answers.",
)
NOT_THE_CENTER = Text(
    ja="センターではないところから応答がありました（HTTP {status}、{content_type}）。プロキシや公衆 Wi-Fi のログイン画面が"
    "間に入っている可能性があります。入力した内容は保存され、センターにつながったときに送信されます。",
    en="Something other than the center answered (HTTP {status}, {content_type}). A proxy or a hotspot login page "
    "may be in the way. What you entered is kept and sent once the center answers.",
)
NO_RECEIPT = Text(
    ja="センターから受付の確認が返りませんでした。入力した内容は保存され、もう一度送信します。",
    en="The center did not confirm receiving the entry. It is kept and will be sent again.",
)
TOO_LARGE = Text(
    ja="センターからの応答が大きすぎるため受け取りを中止しました。しばらくしてからもう一度お試しください。",
    en="The center's answer was too large and was not accepted. Please try again shortly.",
)

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


def _within_call_deadline(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Every network wait of the call, its retries and their pauses included, ends by ``self.call_deadline``."""

    @functools.wraps(fn)
    def wrapper(self: HttpCenterClient, *args: Any, **kwargs: Any) -> Any:
        with limits.deadline(self.call_deadline):
            return fn(self, *args, **kwargs)

    return wrapper


class HttpCenterClient:
    """:class:`agentdesk.center.api.CenterClient` and :class:`FixedLineControl` over HTTPS."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        max_attempts: int = 4,
        backoff_base: float = 0.25,
        backoff_cap: float = 8.0,
        verify: bool | str = True,
        transport: httpx.BaseTransport | None = None,
        stream_read_timeout: float = 45.0,
        call_deadline: float = limits.CALL_DEADLINE_S,
    ) -> None:
        if verify is False:
            raise ValueError("TLS verification cannot be switched off; pass a CA bundle path instead")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self.max_attempts = max(1, max_attempts)
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.stream_read_timeout = stream_read_timeout
        self.call_deadline = call_deadline  # every center call, its retries included, ends by then
        self._verify: bool | ssl.SSLContext = ssl.create_default_context(cafile=verify) if isinstance(verify, str) else verify
        self._transport = transport
        self._http = self._new_http(self.timeout)
        self._lock = threading.Lock()
        self._refresh_lock = threading.Lock()
        self._access_token = ""
        self._refresh_token = ""
        self._expires_at = 0.0
        self.agent_id = ""

    # ---- plumbing -------------------------------------------------------------------------------------------

    def _new_http(self, timeout: httpx.Timeout) -> httpx.Client:
        # our own transport: its connection pool waits at most until the call's overall deadline (limits.py)
        transport = self._transport or limits.transport_with_deadline(self._verify)
        return httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            verify=self._verify,
            transport=transport,
            headers={"User-Agent": f"AgentDesk/{__version__}", "Accept": "application/json"},
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HttpCenterClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def signed_in(self) -> bool:
        return bool(self._access_token)

    def _auth_headers(self) -> dict[str, str]:
        with self._lock:
            token = self._access_token
        return {"Authorization": f"Bearer {token}"} if token else {}

    def _sleep_before_retry(self, attempt: int, response: httpx.Response | None) -> None:
        delay = backoff_delay(attempt, self.backoff_base, self.backoff_cap)
        if response is not None:
            retry_after = response.headers.get("Retry-After", "")
            if retry_after.isdigit():
                delay = max(delay, min(float(retry_after), self.backoff_cap))
        left = limits.remaining()
        if left is not None:
            delay = min(delay, max(0.0, left))  # never sleep past the call's deadline
        time.sleep(delay)

    def _transport_error(self, exc: httpx.HTTPError) -> CenterError:
        if isinstance(exc, httpx.TimeoutException) and not isinstance(exc, httpx.ConnectTimeout):
            seconds = self.timeout.read or 0
            left = limits.remaining()
            if left is not None and left <= 0.05:
                seconds = self.call_deadline
            return CenterError(NO_ANSWER.format(seconds=f"{seconds:g}"), retryable=True, code="timeout")
        text = str(exc).lower()
        if "certificate" in text or "ssl" in text or "tls" in text:
            return CenterError(TLS_FAILED, retryable=False, code="tls")
        return CenterError(UNREACHABLE, retryable=True, code="unreachable")

    def _send(self, method: str, path: str, body: Any, headers: dict[str, str]) -> httpx.Response:
        """One HTTP exchange, its body read in pieces up to the cap (limits.MAX_BODY_BYTES)."""
        request = self._http.build_request(method, path, json=body, headers=headers)
        response = self._http.send(request, stream=True)
        try:
            content = limits.read_capped(response)
        except limits.BodyTooLarge:
            log.warning("center %s %s: answer larger than %d bytes refused", method, path, limits.MAX_BODY_BYTES)
            raise CenterError(TOO_LARGE, retryable=True, status=response.status_code, code="too_large") from None
        finally:
            response.close()
        return httpx.Response(response.status_code, headers=response.headers, content=content, request=request)

    @_within_call_deadline
    def _request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        idempotency_key: str | None = None,
        auth: bool = True,
        expect_body: bool = True,
    ) -> Any:
        """One API call with retries where safe, all within ``call_deadline``. Returns the parsed JSON body."""
        safe = method in ("GET", "PUT", "DELETE") or idempotency_key is not None
        refreshed = False
        last_error: CenterError | None = None
        attempt = 0
        while attempt < self.max_attempts:
            left = limits.remaining()
            if left is not None and left <= 0:
                log.info("center %s %s: no answer within the call's %.0f s", method, path, self.call_deadline)
                raise CenterError(NO_ANSWER.format(seconds=f"{self.call_deadline:g}"), retryable=True,
                                  code="timeout")
            headers: dict[str, str] = self._auth_headers() if auth else {}
            if idempotency_key:
                headers["Idempotency-Key"] = idempotency_key
            response: httpx.Response | None = None
            try:
                if auth:
                    self._refresh_if_due()
                    headers.update(self._auth_headers())
                response = self._send(method, path, body, headers)
            except CenterError:
                raise
            except httpx.HTTPError as exc:
                last_error = self._transport_error(exc)
                never_sent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                log.info("center %s %s failed: %s", method, path, type(exc).__name__)
                if not last_error.retryable or not (safe or never_sent):
                    raise last_error from None
                attempt += 1
                if attempt < self.max_attempts:
                    self._sleep_before_retry(attempt, None)
                continue
            except Exception as exc:  # anything httpx did not foresee must still not reach the agent as a crash
                log.warning("center %s %s: unexpected %r", method, path, exc)
                raise CenterError(UNREACHABLE, retryable=True, code="unexpected") from None

            status = response.status_code
            if 300 <= status < 400:
                # never followed (follow_redirects=False): a 302 to a portal is not the center's receipt
                log.info("center %s %s: redirected (HTTP %s), not followed", method, path, status)
                raise CenterError(REDIRECTED.format(status=status), retryable=True, status=status, code="redirect")
            if status >= 400 and not self._is_api_error(response):
                ctype = self._content_type(response) or "none"
                log.info("center %s %s: HTTP %s %s that is not the API's error", method, path, status, ctype)
                raise CenterError(NOT_THE_CENTER.format(status=status, content_type=ctype), retryable=True,
                                  status=status, code="not_center")
            if status == 401 and auth and not refreshed and self._refresh_token:
                refreshed = True
                used = headers.get("Authorization", "").removeprefix("Bearer ")
                self._refresh(used)
                continue
            if status >= 400:
                last_error = self._error_of(response)
                if status == 401 and auth:
                    with self._lock:
                        self._access_token = ""
                    raise CenterError(SIGNED_OUT, retryable=False, status=401, code="signed_out")
                if status in RETRY_STATUS and safe:
                    attempt += 1
                    if attempt < self.max_attempts:
                        self._sleep_before_retry(attempt, response)
                    continue
                raise last_error
            try:
                return self._parse(response, expect_body)
            except CenterError as exc:
                last_error = exc
                if not safe:
                    raise
                attempt += 1
                if attempt < self.max_attempts:
                    self._sleep_before_retry(attempt, None)
                continue
        assert last_error is not None
        raise last_error

    @staticmethod
    def _content_type(response: httpx.Response) -> str:
        return str(response.headers.get("Content-Type", "")).split(";")[0].strip().lower()

    def _parse(self, response: httpx.Response, expect_body: bool) -> Any:
        if response.status_code == 204 or (not expect_body and not response.content):
            return None
        ctype = self._content_type(response)
        if ctype != "application/json" and not ctype.endswith("+json"):
            raise CenterError(
                WRONG_CONTENT.format(content_type=ctype or "none"), retryable=True, status=response.status_code,
                code="wrong_content_type",
            )
        try:
            return json.loads(response.content)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise wire.bad_shape("not JSON") from None

    def _is_api_error(self, response: httpx.Response) -> bool:
        """The API's one error shape ({"error": {...}}, JSON): anything else (a proxy's HTML page) is not the
        center speaking, whatever its status."""
        if not self._content_type(response).endswith("json"):
            return False
        try:
            body = json.loads(response.content)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return False
        return isinstance(body, dict) and isinstance(body.get("error"), dict)

    def _error_of(self, response: httpx.Response) -> CenterError:
        body: Any = None
        if self._content_type(response).endswith("json"):
            try:
                body = json.loads(response.content)
            except (ValueError, UnicodeDecodeError, RecursionError):
                body = None
        return wire.error_from_wire(response.status_code, body)

    # ---- tokens ---------------------------------------------------------------------------------------------

    def _store_tokens(self, body: Any) -> None:
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise wire.bad_shape("no access_token")
        expires_in = body.get("expires_in", 3600)
        if not isinstance(expires_in, int | float):
            raise wire.bad_shape("expires_in")
        with self._lock:
            self._access_token = body["access_token"]
            refresh = body.get("refresh_token")
            if isinstance(refresh, str) and refresh:
                self._refresh_token = refresh
            self._expires_at = time.monotonic() + float(expires_in)

    def _refresh_if_due(self) -> None:
        with self._lock:
            due = bool(self._refresh_token) and time.monotonic() > self._expires_at - 30
            stale = self._access_token
        if due:
            self._refresh(stale)

    def _refresh(self, stale_access_token: str | None = None) -> None:
        """One refresh at a time: the event stream and a request that both met a 401 must not both spend the
        (rotating) refresh token. ``stale_access_token`` is the token that failed; if another thread has already
        replaced it, there is nothing to do."""
        with self._refresh_lock:
            with self._lock:
                token = self._refresh_token
                current = self._access_token
                fresh = time.monotonic() < self._expires_at - 30
            if stale_access_token is not None and current and current != stale_access_token and fresh:
                return
            if not token:
                raise CenterError(NOT_SIGNED_IN, retryable=False, code="signed_out")
            self._refresh_with(token)

    def _refresh_with(self, token: str) -> None:
        try:
            body = self._request("POST", "/v1/sessions/refresh", body={"refresh_token": token}, auth=False)
        except CenterError as exc:
            if exc.status in (400, 401, 403):
                with self._lock:
                    self._access_token = self._refresh_token = ""
                raise CenterError(SIGNED_OUT, retryable=False, status=exc.status, code="signed_out") from None
            raise
        self._store_tokens(body)

    # ---- CenterClient ---------------------------------------------------------------------------------------

    def sign_in(
        self, agent_id: str, secret: str, *, mode: str = "softphone", fixed_line_number: str = ""
    ) -> Provisioning:
        request: dict[str, Any] = {"agent_id": agent_id, "secret": secret, "mode": mode}
        if fixed_line_number:
            request["fixed_line_number"] = fixed_line_number
        body = self._request("POST", "/v1/sessions", body=request, auth=False)
        self._store_tokens(body)
        self.agent_id = agent_id
        return wire.provisioning_from_wire(body.get("provisioning"))

    def sign_out(self) -> None:
        try:
            if self._access_token:
                self._request("DELETE", "/v1/sessions/current", expect_body=False)
        finally:
            with self._lock:
                self._access_token = self._refresh_token = ""

    def provisioning(self) -> Provisioning:
        return wire.provisioning_from_wire(self._request("GET", "/v1/provisioning"))

    def set_state(self, state: AgentStateName, reason: str | None = None) -> None:
        self._request("PUT", "/v1/agent/state", body={"state": state, "reason": reason}, expect_body=False)

    def contract(self, contract_id: str) -> ContractInfo:
        if not contract_id or "/" in contract_id:
            raise CenterError(
                Text(ja="契約番号が正しくありません。", en="The contract number is not valid."), retryable=False,
                code="bad_request",
            )
        return wire.contract_from_wire(self._request("GET", f"/v1/contracts/{contract_id}"))

    def open_escalation_ticket(self, context: dict[str, Any]) -> str:
        body = self._request("POST", "/v1/escalations", body={"context": context}, idempotency_key=str(uuid.uuid4()))
        if not isinstance(body, dict) or not isinstance(body.get("ticket_id"), str):
            raise wire.bad_shape("no ticket_id")
        return str(body["ticket_id"])

    def submit(self, kind: str, payload: dict[str, Any], idempotency_key: str) -> None:
        path = wire.SUBMIT_PATHS.get(kind)
        if path is None:
            raise CenterError(
                Text(ja="送信できない種類のデータです（{kind}）。", en="This kind of entry cannot be sent ({kind}).").format(
                    kind=kind
                ),
                retryable=False,
                code="unknown_kind",
            )
        answer = self._request("POST", path, body=payload, idempotency_key=idempotency_key)
        # proof of receipt (docs/center-api.yaml WriteReceipt): the center names the key it recorded
        if not isinstance(answer, dict) or answer.get("idempotency_key") != idempotency_key:
            log.warning("center %s: a 2xx without the receipt for %s", path, idempotency_key)
            raise CenterError(NO_RECEIPT, retryable=True, code="no_receipt")

    # ---- fixed-line mode ------------------------------------------------------------------------------------

    def fixed_line_status(self) -> FixedLineStatus:
        return _fixed_line_from_wire(self._request("GET", "/v1/fixed-line"))

    def reconnect_line(self) -> FixedLineStatus:
        body = self._request("POST", "/v1/fixed-line/reconnect", body={}, idempotency_key=str(uuid.uuid4()))
        return _fixed_line_from_wire(body)

    def call_control(self, call_id: str, action: CallAction, idempotency_key: str, target: str = "") -> None:
        if action not in wire.CALL_ACTIONS or not call_id or "/" in call_id:
            raise CenterError(
                Text(ja="この通話操作はできません。", en="This call action is not possible."), retryable=False,
                code="bad_request",
            )
        self._request(
            "POST", f"/v1/calls/{call_id}/{action}", body={"target": target} if target else {},
            idempotency_key=idempotency_key, expect_body=False,
        )

    # ---- the event stream -----------------------------------------------------------------------------------

    def events(self, on_event: Callable[[CenterEvent], None], last_event_id: str | None = None) -> Callable[[], None]:
        stream = _EventStream(self, on_event, last_event_id or "")
        stream.start()
        return stream.stop

    def _open_stream(self, last_event_id: str) -> tuple[httpx.Client, httpx.Response, str]:
        self._refresh_if_due()
        client = self._new_http(httpx.Timeout(self.timeout.connect or 5.0, read=self.stream_read_timeout))
        auth = self._auth_headers()
        headers = {**auth, "Accept": "text/event-stream", "Cache-Control": "no-cache"}
        if last_event_id:
            headers["Last-Event-ID"] = last_event_id
        try:
            response = client.send(client.build_request("GET", "/v1/events", headers=headers), stream=True)
        except BaseException:
            client.close()
            raise
        return client, response, auth.get("Authorization", "").removeprefix("Bearer ")


def _fixed_line_from_wire(value: Any) -> FixedLineStatus:
    if not isinstance(value, dict) or not isinstance(value.get("number"), str):
        raise wire.bad_shape("fixed-line status")
    leg = value.get("leg", "idle")
    if leg not in ("idle", "ringing", "connected", "held", "dropped", "reconnecting"):
        raise wire.bad_shape("fixed-line leg")
    call_id = value.get("call_id") or ""
    return FixedLineStatus(number=value["number"], leg=leg, call_id=str(call_id))


def parse_sse(lines: Iterator[str]) -> Iterator[tuple[str, str, str, int | None]]:
    """Server-sent events (WHATWG HTML 9.2): yields (event, data, id, retry_ms) for each dispatched event. An event
    whose data lines together exceed limits.MAX_EVENT_DATA is dropped, not gathered without bound."""
    event, event_id, retry = "", None, None
    data: list[str] = []
    size = 0
    for raw in lines:
        line = raw.rstrip("\r\n")
        if line == "":
            if (data or event) and size <= limits.MAX_EVENT_DATA:
                yield event or "message", "\n".join(data), event_id or "", retry
            elif size > limits.MAX_EVENT_DATA:
                log.warning("center event stream: dropped an event of more than %d bytes", limits.MAX_EVENT_DATA)
            event, data, retry, size = "", [], None, 0
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            event = value
        elif name == "data":
            size += len(value) + 1
            if size <= limits.MAX_EVENT_DATA:
                data.append(value)
        elif name == "id" and "\0" not in value:
            event_id = value
        elif name == "retry" and value.isdigit():
            retry = int(value)


class _EventStream:
    def __init__(self, client: HttpCenterClient, on_event: Callable[[CenterEvent], None], last_id: str) -> None:
        self.client = client
        self.on_event = on_event
        self.last_id = last_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="center-events", daemon=True)
        self._current: httpx.Response | None = None
        self._current_lock = threading.Lock()
        self.reconnects = 0
        self._retry_ms: int | None = None

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        with self._current_lock:
            response = self._current
        if response is not None:
            _shutdown(response)
        self._thread.join(timeout=5)

    def _emit(self, event: CenterEvent) -> None:
        try:
            self.on_event(event)
        except Exception:  # a faulty handler must not end the stream
            log.exception("center event handler failed for %s", event.kind)

    def _connection(self, state: str, message: Text) -> None:
        self._emit(CenterEvent(kind="connection", data={"state": state, "message": message.as_dict()}))

    def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            connected, got_events = self._once()
            if self._stop.is_set():
                break
            if connected:
                self._connection("reconnecting", STREAM_LOST)
            attempt = 0 if got_events else attempt + 1
            delay = backoff_delay(attempt, self.client.backoff_base, self.client.backoff_cap)
            if self._retry_ms is not None:
                delay = max(delay, self._retry_ms / 1000 * random.uniform(0.5, 1.5))
            self.reconnects += 1
            self._stop.wait(delay)

    def _once(self) -> tuple[bool, bool]:
        """One connection: (was connected, delivered at least one event so the backoff starts over)."""
        got = False
        connected = False
        try:
            http, response, used_token = self.client._open_stream(self.last_id)
        except CenterError as exc:
            if exc.code == "signed_out":  # reconnecting cannot help: the agent must sign in again
                self._emit(CenterEvent(kind="connection", data={"state": "signed_out", "message": exc.message.as_dict()}))
                self._stop.set()
            return False, False
        except (httpx.HTTPError, OSError) as exc:
            log.info("center event stream: cannot connect: %s", type(exc).__name__)
            return False, False
        try:
            with self._current_lock:
                self._current = response
            if self._stop.is_set():
                return False, False
            if response.status_code == 401 and self.client._refresh_token:
                try:
                    self.client._refresh(used_token)
                except CenterError as exc:
                    self._emit(CenterEvent(kind="connection", data={"state": "signed_out", "message": exc.message.as_dict()}))
                    self._stop.set()
                return False, False
            ctype = HttpCenterClient._content_type(response)
            if response.status_code != 200 or ctype != "text/event-stream":
                log.info("center event stream: HTTP %s %s", response.status_code, ctype)
                return False, False
            connected = True
            self._connection("connected", STREAM_BACK)
            for kind, data, event_id, retry in parse_sse(limits.capped_lines(response.iter_bytes())):
                if retry is not None:
                    self._retry_ms = retry
                try:
                    event = wire.event_from_sse(kind, data, event_id)
                except CenterError:
                    log.warning("center event stream: dropped a malformed %s event", kind)
                    continue
                if event_id:
                    self.last_id = event_id
                if kind == "hello":  # the stream's opening position, not news for the agent
                    continue
                got = True
                self._emit(event)
                if self._stop.is_set():
                    break
        except (httpx.HTTPError, OSError, ValueError) as exc:
            log.info("center event stream dropped: %s", type(exc).__name__)
        except Exception:
            log.exception("center event stream: unexpected failure")
        finally:
            with self._current_lock:
                self._current = None
            response.close()
            http.close()
        return connected, got


def _shutdown(response: httpx.Response) -> None:
    """Wake a thread blocked reading the stream: shut the socket down (close() alone does not on Linux)."""
    stream = response.extensions.get("network_stream")
    sock = None
    if stream is not None:
        try:
            sock = stream.get_extra_info("socket")
        except Exception:
            sock = None
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
