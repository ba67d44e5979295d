"""The durable outbox: every write to the center (wrap-ups, availability, work log, self-check reports, state
changes that must be recorded) is first committed to SQLite in the user data directory, then delivered.

- Durable: WAL journal with ``synchronous=FULL``; :meth:`Outbox.enqueue` returns only after the commit, so an entry
  the agent saw accepted survives a kill -9 of the app and a power cut.
- In order: entries are delivered oldest first, one at a time; a failure that may pass (center down, 5xx, timeout)
  stops the queue and it is tried again later with backoff and jitter, so nothing overtakes an earlier entry.
  An entry the center itself refuses for good (its JSON error, retryable false) is set aside as ``rejected``
  (kept, with the center's message, for the agent to see) and the queue goes on.
- Delivered means received: only a 2xx from the configured origin whose body is the receipt naming the entry's
  key (http.py). A forgotten session (401), a certificate that does not verify (a hotspot portal), a redirect, a
  proxy's HTML page or an empty 200 keep the entry pending, and :meth:`Outbox.problem` says what is wrong (kept in
  the database, so ``agentdesk center outbox`` shows it too) until an entry goes through again.
- A row that cannot be read (a damaged database page, a payload that is not JSON) is set aside with a message and
  delivery goes on; the delivery thread survives anything a delivery raises.
- Never twice: each entry carries an idempotency key from the moment it is stored. If the app dies after the center
  accepted an entry but before the outbox noted it, the entry is sent again with the same key and the center
  records it once (docs/center-api.yaml).
- No customer personal data: the table accepts only the kinds listed in :data:`SCHEMAS`, each payload only its
  allowed fields of the allowed types, and free-text fields are screened for phone numbers, e-mail addresses and
  postal codes. Anything else is refused with a message before it touches the disk.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import sqlite3
import threading
import time
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as dt_time
from pathlib import Path
from typing import Any

from agentdesk import paths
from agentdesk.center.api import CenterClient, CenterError, CenterEvent, backoff_delay
from agentdesk.center.wire import AGENT_STATES
from agentdesk.i18n import Text
from agentdesk.privacy import EMAIL, PHONE, POSTAL
from agentdesk.safefiles import open_sqlite

log = logging.getLogger(__name__)

FILE_NAME = "outbox.sqlite3"
MAX_PAYLOAD_BYTES = 64 * 1024
MAX_TEXT = 1000

# Field specs: "str" (ASCII identifier or code), "time" (an ISO 8601 date, time or timestamp: parsed, so it carries
# nothing else and is not screened: a timestamp's microseconds look like a phone number), "id" (a call/contract/ticket id: like "str", but a SIP Call-ID
# may look like an e-mail address), "text" (free text someone typed: screened for personal data),
# "label" (the app's own message), "int", "num", "bool", "any" (free-form figures), "?"-suffix = may be null,
# ["list", spec], {"field": spec} = an object with only these fields (or null).
Spec = Any
_TEXT: Spec = {"ja": "label", "en": "label"}  # the app's own bilingual messages (not typed by anyone)
_CHECK: Spec = {
    "name": "str",
    "status": "str",
    "summary": _TEXT,
    "details": "any?",  # the check's own measured figures (the agent's environment, never customer data)
    "remedy": _TEXT,
    "confirmation": _TEXT,
    "duration_s": "num?",
}
SCHEMAS: dict[str, dict[str, Spec]] = {
    "wrap_up": {
        "call_id": "id",
        "contract_id": "id?",
        "code": "str",
        "note": "text?",
        "escalated": "bool?",
        "ticket_id": "id?",
        "script_path": ["list", "str"],
        "started_at": "time?",
        "ended_at": "time?",
        "talk_seconds": "num?",
        "practice": "bool?",
    },
    "availability": {
        "week_start": "time",
        "slots": ["list", {"date": "time", "start": "time", "end": "time"}],
        "note": "text?",
    },
    "work_log": {
        "date": "time",
        "started_at": "time?",
        "ended_at": "time?",
        "calls": "int?",
        "talk_seconds": "num?",
        "break_seconds": "num?",
        "note": "text?",
    },
    "self_check": {
        "report_id": "str",
        "overall": "str",
        "started": "time?",
        "duration_s": "num?",
        "app_version": "str?",
        "host": {"system": "str?", "release": "str?"},
        "checks": ["list", _CHECK],
    },
    "state_change": {"state": "str", "reason": "str?", "at": "time"},
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "wrap_up": ("call_id", "code"),
    "availability": ("week_start", "slots"),
    "work_log": ("date",),
    "self_check": ("report_id", "overall", "checks"),
    "state_change": ("state", "at"),
}

_PHONE, _EMAIL, _POSTAL = PHONE, EMAIL, POSTAL  # agentdesk/privacy.py: the one definition
_STR = re.compile(r"^[\x20-\x7e]{0,200}$")  # identifiers, codes, dates, SIP Call-IDs: printable ASCII, screened


class OutboxRefused(ValueError):
    """The entry cannot be stored: the message says why, for the agent."""

    def __init__(self, message: Text) -> None:
        super().__init__(message.en)
        self.message = message


def _refuse(where: str, why_ja: str, why_en: str) -> OutboxRefused:
    return OutboxRefused(
        Text(ja=f"送信できない内容です（{where}: {why_ja}）。", en=f"This entry cannot be sent ({where}: {why_en}).")
    )


UNEXPECTED = Text(ja="送信中に予期しないエラーが起きました。入力した内容は保存されており、自動でもう一度送信します。",
                  en="An unexpected error occurred while sending. What you entered is kept and will be sent again.")

PERSONAL = ("お客さまの個人情報（電話番号・メールアドレス・郵便番号）は入力できません", "customer personal data (phone number, e-mail, postal code) is not allowed")


def screen_text(value: str, *, email: bool = True) -> bool:
    """True when free text looks like it carries personal data."""
    text = unicodedata.normalize("NFKC", value)
    return bool(_PHONE.search(text) or (email and _EMAIL.search(text)) or _POSTAL.search(text))


def _looks_personal(value: str, *, email: bool) -> bool:
    text = unicodedata.normalize("NFKC", value).strip()
    return bool(_PHONE.fullmatch(text) or (email and _EMAIL.fullmatch(text)) or _POSTAL.fullmatch(text))


def _is_time(value: str) -> bool:
    """An ISO 8601 date ("2026-11-22"), time of day ("10:00") or timestamp, and nothing else."""
    if not _STR.match(value):
        return False
    for parse in (datetime.fromisoformat, date.fromisoformat, dt_time.fromisoformat):
        try:
            parse(value)
            return True
        except ValueError:
            continue
    return False


def _check(value: Any, spec: Spec, where: str) -> None:
    if spec == "any?" or (spec == "any" and value is not None):
        return  # free-form figures; bounded by MAX_PAYLOAD_BYTES
    if isinstance(spec, dict) and value is None:
        return  # an optional object
    if isinstance(spec, str):
        nullable = spec.endswith("?")
        base = spec.rstrip("?")
        if value is None:
            if nullable:
                return
            raise _refuse(where, "値がありません", "missing value")
        ok = {
            "str": isinstance(value, str) and bool(_STR.match(value)),
            "time": isinstance(value, str) and _is_time(value),
            "id": isinstance(value, str) and bool(_STR.match(value)),
            "text": isinstance(value, str) and len(value) <= MAX_TEXT,
            "label": isinstance(value, str) and len(value) <= 4 * MAX_TEXT,
            "int": isinstance(value, int) and not isinstance(value, bool),
            "num": isinstance(value, int | float) and not isinstance(value, bool),
            "bool": isinstance(value, bool),
        }[base]
        if not ok:
            raise _refuse(where, "形式が違います", f"expected {base}")
        if base == "text" and isinstance(value, str) and screen_text(value):
            raise _refuse(where, *PERSONAL)
        # Codes and identifiers are made by systems, not typed: refused when the whole value is a phone number or
        # an e-mail address (a UUID's digit runs once read as a phone number). SIP Call-IDs look like e-mail.
        if base in ("str", "id") and isinstance(value, str) and _looks_personal(value, email=base == "str"):
            raise _refuse(where, *PERSONAL)
        return
    if isinstance(spec, list):
        if not isinstance(value, list) or len(value) > 500:
            raise _refuse(where, "一覧ではありません", "expected a list")
        for i, item in enumerate(value):
            _check(item, spec[1], f"{where}[{i}]")
        return
    if not isinstance(value, dict):
        raise _refuse(where, "形式が違います", "expected an object")
    for key, item in value.items():
        if key not in spec:
            raise _refuse(f"{where}.{key}" if where else key, "許可されていない項目です", "field not allowed")
        _check(item, spec[key], f"{where}.{key}" if where else key)


def validate(kind: str, payload: dict[str, Any]) -> None:
    """Raise :class:`OutboxRefused` unless the payload is an allowed kind with allowed fields only."""
    schema = SCHEMAS.get(kind)
    if schema is None:
        raise _refuse(kind, "この種類は送れません", "unknown kind")
    if not isinstance(payload, dict):
        raise _refuse(kind, "形式が違います", "expected an object")
    for name in REQUIRED[kind]:
        if payload.get(name) is None:
            raise _refuse(name, "必須の項目です", "required")
    _check(payload, schema, "")
    if kind == "state_change" and payload["state"] not in AGENT_STATES:
        raise _refuse("state", "状態が正しくありません", "unknown state")
    if len(json.dumps(payload, ensure_ascii=False).encode()) > MAX_PAYLOAD_BYTES:
        raise _refuse(kind, "大きすぎます", "too large")


_SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('wrap_up', 'availability', 'work_log', 'self_check', 'state_change')),
    payload TEXT NOT NULL CHECK (json_valid(payload) AND length(payload) <= 65536),
    created_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'rejected')),
    last_error TEXT,
    delivered_at REAL
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (status, seq);
"""


@dataclass(frozen=True)
class Entry:
    seq: int
    key: str
    kind: str
    payload: dict[str, Any]
    created_at: float
    attempts: int
    status: str
    last_error: str | None


# CenterError codes that say nothing about the entry: the center was not reached, or something else answered.
KEEP_PENDING = frozenset({"signed_out", "not_signed_in", "no_secret", "tls", "redirect", "not_center", "no_receipt",
                          "too_large", "wrong_content_type", "timeout", "unreachable", "unexpected"})
BROKEN_ROW = Text(ja="この記録はデータベースの中で壊れていたため、送信できませんでした。",
                  en="This entry was damaged in the database and could not be sent.")


@dataclass(frozen=True)
class OutboxProblem:
    """Why pending entries are not going out (for the agent): the latest failure, until a delivery succeeds."""

    code: str
    message: Text
    since: float


@dataclass(frozen=True)
class DeliveryRound:
    delivered: int
    rejected: int
    stopped_by: CenterError | None  # a failure that may pass: the queue waits and tries again


class Outbox:
    def __init__(self, path: Path | None = None, *, keep_delivered_days: float = 7.0) -> None:
        self.path = path or paths.data_dir() / FILE_NAME
        self._lock = threading.RLock()
        self.notice: Text | None = None  # a damaged database was set aside at start (safefiles.open_sqlite)

        def prepare(db: sqlite3.Connection) -> None:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.executescript(_SCHEMA_SQL)
            db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', '1')")
            cutoff = time.time() - keep_delivered_days * 86400
            db.execute("DELETE FROM outbox WHERE status = 'delivered' AND delivered_at < ?", (cutoff,))

        def damaged(message: Text) -> None:
            self.notice = message

        # StorageError (with the agent's message) when the data folder cannot be written
        self._db = open_sqlite(self.path, prepare, Text(ja="送信待ちの記録", en="outbox"), damaged,
                               check_same_thread=False, isolation_level=None, timeout=10)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.on_change: Callable[[], None] | None = None
        if self.notice is not None:
            self._set_problem("damaged", self.notice)

    def close(self) -> None:
        self.stop()
        with self._lock:
            self._db.close()

    # ---- writing --------------------------------------------------------------------------------------------

    def enqueue(self, kind: str, payload: dict[str, Any], idempotency_key: str | None = None) -> str:
        """Store an entry for delivery; returns its idempotency key once it is safely on disk."""
        validate(kind, payload)
        key = idempotency_key or str(uuid.uuid4())
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        with self._lock:
            self._db.execute(
                "INSERT INTO outbox (idempotency_key, kind, payload, created_at) VALUES (?, ?, ?, ?)",
                (key, kind, body, time.time()),
            )
        self._wake.set()
        self._notify()
        return key

    # ---- reading --------------------------------------------------------------------------------------------

    def _entries(self, where: str, args: tuple[Any, ...] = (), limit: int = -1) -> list[Entry]:
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, idempotency_key, kind, payload, created_at, attempts, status, last_error FROM outbox "
                f"WHERE {where} ORDER BY seq LIMIT ?",
                (*args, limit),
            ).fetchall()
        out = []
        for r in rows:
            try:
                payload = json.loads(r[3])
            except (TypeError, ValueError, RecursionError):
                payload = {}  # a damaged row: listed, never sent (deliver sets it aside)
            out.append(Entry(r[0], r[1], r[2], payload if isinstance(payload, dict) else {}, r[4], r[5], r[6], r[7]))
        return out

    def _head(self) -> Entry | None:
        """The oldest pending entry; a damaged one is set aside on the way (with a message), never retried."""
        for _ in range(1000):
            with self._lock:
                row = self._db.execute(
                    "SELECT seq, idempotency_key, kind, payload, created_at, attempts, status, last_error FROM outbox "
                    "WHERE status = 'pending' ORDER BY seq LIMIT 1"
                ).fetchone()
            if row is None:
                return None
            try:
                payload = json.loads(row[3])
                if not isinstance(payload, dict) or not isinstance(row[1], str) or row[2] not in SCHEMAS:
                    raise ValueError("not an entry")
                return Entry(row[0], row[1], row[2], payload, row[4], row[5], row[6], row[7])
            except (TypeError, ValueError, RecursionError):
                log.warning("outbox: entry %s is damaged and is set aside", row[0])
                with self._lock:
                    self._db.execute("UPDATE outbox SET status = 'rejected', last_error = ? WHERE seq = ?",
                                     (json.dumps(BROKEN_ROW.as_dict(), ensure_ascii=False), row[0]))
                self._notify()
        return None

    def pending(self) -> list[Entry]:
        return self._entries("status = 'pending'")

    def rejected(self) -> list[Entry]:
        return self._entries("status = 'rejected'")

    def entry(self, key: str) -> Entry | None:
        found = self._entries("idempotency_key = ?", (key,))
        return found[0] if found else None

    def problem(self) -> OutboxProblem | None:
        """Why pending entries are waiting (None while deliveries go through)."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'problem'").fetchone()
        if row is None:
            return None
        try:
            value = json.loads(row[0])
            return OutboxProblem(str(value["code"]), Text(**value["message"]), float(value["since"]))
        except (TypeError, ValueError, KeyError):
            return None

    def _set_problem(self, code: str, message: Text | None) -> None:
        with self._lock:
            current = self._db.execute("SELECT value FROM meta WHERE key = 'problem'").fetchone()
            if message is None:
                if current is None:
                    return
                self._db.execute("DELETE FROM meta WHERE key = 'problem'")
            else:
                since = time.time()
                if current is not None:
                    with contextlib.suppress(TypeError, ValueError, KeyError):
                        old = json.loads(current[0])
                        if old.get("code") == code:
                            since = float(old["since"])
                value = json.dumps({"code": code, "message": message.as_dict(), "since": since}, ensure_ascii=False)
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('problem', ?)", (value,))
        self._notify()

    def counts(self) -> dict[str, int]:
        with self._lock:
            rows = self._db.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall()
        return {"pending": 0, "delivered": 0, "rejected": 0, **dict(rows)}

    # ---- delivering -----------------------------------------------------------------------------------------

    def deliver(self, client: CenterClient, limit: int = 1000) -> DeliveryRound:
        """Send pending entries in order until the queue is empty or a failure that may pass stops it."""
        delivered = rejected = 0
        for _ in range(limit):
            entry = self._head()
            if entry is None:
                break
            with self._lock:
                self._db.execute("UPDATE outbox SET attempts = attempts + 1 WHERE seq = ?", (entry.seq,))
            try:
                client.submit(entry.kind, entry.payload, entry.key)
            except CenterError as exc:
                keep = exc.retryable or exc.code in KEEP_PENDING
                with self._lock:
                    if keep:
                        self._db.execute("UPDATE outbox SET last_error = ? WHERE seq = ?", (exc.message.en, entry.seq))
                    else:
                        self._db.execute(
                            "UPDATE outbox SET status = 'rejected', last_error = ? WHERE seq = ?",
                            (json.dumps(exc.message.as_dict(), ensure_ascii=False), entry.seq),
                        )
                if keep:
                    self._set_problem(exc.code or "unreachable", exc.message)
                    return DeliveryRound(delivered, rejected, exc)
                self._notify()
                rejected += 1
                log.warning("outbox: the center refused %s entry %s: %s", entry.kind, entry.seq, exc.message.en)
                continue
            except Exception:  # a client bug must not lose the entry or kill the worker
                log.exception("outbox: delivery of %s failed unexpectedly", entry.seq)
                failure = CenterError(UNEXPECTED, code="unexpected")
                self._set_problem("unexpected", UNEXPECTED)
                return DeliveryRound(delivered, rejected, failure)
            with self._lock:
                self._db.execute(
                    "UPDATE outbox SET status = 'delivered', delivered_at = ?, last_error = NULL WHERE seq = ?",
                    (time.time(), entry.seq),
                )
            delivered += 1
            self._set_problem("", None)
            self._notify()
        return DeliveryRound(delivered, rejected, None)

    def start(
        self, client: CenterClient, *, backoff_base: float = 0.5, backoff_cap: float = 30.0
    ) -> None:
        """Deliver in the background: at once when something is queued, with backoff while the center is away."""
        if self._thread is not None:
            return
        self._stop.clear()

        def run() -> None:
            attempt = 0
            while not self._stop.is_set():
                try:
                    result = self.deliver(client)
                except Exception:  # the database itself failed: the thread must not die silently
                    if self._stop.is_set():  # closing: the database was closed under a round that outlived stop()
                        return
                    log.exception("outbox: delivery round failed")
                    with contextlib.suppress(Exception):
                        self._set_problem("unexpected", UNEXPECTED)
                    result = DeliveryRound(0, 0, CenterError(UNEXPECTED, code="unexpected"))
                if result.stopped_by is None:
                    attempt = 0
                    self._wake.wait(timeout=60)
                else:
                    attempt += 1
                    self._wake.wait(timeout=max(0.05, backoff_delay(attempt, backoff_base, backoff_cap)))
                self._wake.clear()

        self._thread = threading.Thread(target=run, name="center-outbox", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Try now (e.g. the event stream just reconnected, so the center is back)."""
        self._wake.set()

    def on_center_event(self, event: CenterEvent) -> None:
        """Feed the center's event stream here: when it connects again the center is back, so deliver now."""
        if event.kind == "connection" and event.data.get("state") == "connected":
            self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _notify(self) -> None:
        if self.on_change is not None:
            try:
                self.on_change()
            except Exception:
                log.exception("outbox change handler failed")
