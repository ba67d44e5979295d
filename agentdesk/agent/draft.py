"""The wrap-up draft that survives a crash or a kill of the app.

What is stored (and nothing else), in ``<data dir>/wrapup-draft.json``, written atomically on every change:

- ``call_ref``: the engine's call id and the center's call reference (a SIP Call-ID style token, not a phone number);
- ``code``: the disposition code the agent picked (a center code such as ``"resolved"``);
- ``note``: the agent's own free-text note;
- ``started_at`` / ``ended_at``: when the call started and ended;
- ``escalated``, ``ticket_id``, ``script_path``: whether and how the call was escalated (center ids, the
  support-script steps taken).

No customer personal data: no caller number, no name, and not even the contract id (the center links the wrap-up
to the contract through the call reference). The note is the agent's own text; agents are trained not to type
personal data into it, and the file is deleted as soon as the wrap-up is handed to the outbox.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from agentdesk import paths
from agentdesk.safefiles import read_json

log = logging.getLogger(__name__)
FILE_NAME = "wrapup-draft.json"


@dataclass
class WrapUpDraft:
    call_ref: str
    code: str = ""
    note: str = ""
    started_at: float | None = None
    answered_at: float | None = None
    ended_at: float | None = None
    escalated: bool = False
    direction: str = "incoming"
    ticket_id: str = ""
    script_path: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WrapUpDraft:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        if not isinstance(known.get("call_ref"), str):
            raise ValueError("call_ref missing")
        return cls(**known)


class DraftStore:
    """One draft at a time (an agent wraps up one call at a time)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or (paths.data_dir() / FILE_NAME)

    def save(self, draft: WrapUpDraft) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".wrapup-", suffix=".json", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(draft.to_json(), fh, ensure_ascii=False)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def load(self) -> WrapUpDraft | None:
        if not self.path.exists():
            return None
        try:
            return WrapUpDraft.from_json(read_json(self.path))
        except (OSError, ValueError, TypeError, KeyError) as exc:
            log.warning("wrap-up draft %s unreadable (%s); kept aside", self.path, exc)
            with contextlib.suppress(OSError):
                os.replace(self.path, self.path.with_suffix(".broken"))
            return None

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


class BackgroundDraftStore:
    """A DraftStore whose writes (an fsync each) happen on one thread of their own, in order, so typing a note
    never waits for the disk. Loading stays synchronous (once, at start). :meth:`flush` waits for the writes
    (the app calls it before quitting)."""

    def __init__(self, store: DraftStore | None = None) -> None:
        import threading

        self.store = store or DraftStore()
        self._cond = threading.Condition()
        self._next: tuple[str, WrapUpDraft | None] | None = None  # only the newest write matters
        self._busy = False
        self._thread = threading.Thread(target=self._run, name="wrap-up-draft", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._next is None:
                    self._cond.wait()
                what, draft = self._next
                self._next = None
                self._busy = True
            try:
                if what == "save" and draft is not None:
                    self.store.save(draft)
                elif what == "clear":
                    self.store.clear()
            except Exception:
                log.exception("the wrap-up draft could not be written")
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _put(self, what: str, draft: WrapUpDraft | None) -> None:
        with self._cond:
            self._next = (what, draft)
            self._cond.notify_all()

    def save(self, draft: WrapUpDraft) -> None:
        self._put("save", WrapUpDraft.from_json(draft.to_json()))  # a copy: the session keeps editing

    def clear(self) -> None:
        self._put("clear", None)

    def load(self) -> WrapUpDraft | None:
        return self.store.load()

    def flush(self, timeout: float = 2.0) -> bool:
        """Wait until every write asked for so far is on disk."""
        with self._cond:
            return self._cond.wait_for(lambda: self._next is None and not self._busy, timeout)
