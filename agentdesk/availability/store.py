"""The entry screen's local state: the draft plan and the weeks entered, kept in ``data_dir()/availability.json``.

Nothing the agent entered is ever lost: every change of the draft is written at once (atomically: a temporary file
and a rename), and a week the agent enters is kept here as *pending* until ``submit`` (a narrow ``Callable[[dict], None]``
that enqueues in the center's outbox, or the outbox's ``enqueue`` itself: see :func:`hand_over`) accepted it. Without a submit function, or when it fails, the week
stays pending and is offered again the next time (:meth:`EntryStore.flush`).
"""

from __future__ import annotations

import inspect
import json
import logging
import os
import uuid
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from agentdesk.availability.calendar_jp import now
from agentdesk.availability.plan import Plan, PlanFormatError, Slot, parse_plan
from agentdesk.safefiles import read_json

log = logging.getLogger(__name__)

Submit = Callable[..., Any]  # Callable[[dict], None], or the outbox's enqueue(kind, payload, key)


# The fields the center's ``availability`` write allows (docs/center-api.yaml, schema Availability).
CENTER_FIELDS = ("week_start", "slots")


def week_payload(plan: Plan, monday: date, entered_at: datetime | None = None) -> dict[str, Any]:
    """One entered week as kept here: the center's fields plus when it was entered and its idempotency key."""
    return {"kind": "availability", "week_start": monday.isoformat(),
            "slots": [s.as_dict() for s in plan.in_week(monday)],
            "entered_at": (entered_at or now()).isoformat(timespec="seconds"),
            "idempotency_key": str(uuid.uuid4())}


def _takes_kind_first(submit: Callable[..., Any]) -> bool:
    """True for the outbox's own ``enqueue(kind, payload, idempotency_key=None)`` shape."""
    try:
        params = inspect.signature(submit).parameters.values()
    except (TypeError, ValueError):
        return False
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return sum(1 for p in positional if p.default is p.empty) >= 2


def hand_over(submit: Callable[..., Any], record: dict[str, Any]) -> None:
    """Give one kept week to the center's outbox.

    ``submit`` is either the screen's narrow ``Callable[[dict], None]``, which gets
    ``{"kind": "availability", "week_start", "slots"}``, or the outbox's ``enqueue(kind, payload, key)``, which gets
    the kind, the center's fields only and the week's idempotency key (a retry is then the same write).
    """
    body = {k: record[k] for k in CENTER_FIELDS}
    if _takes_kind_first(submit):
        submit("availability", body, record.get("idempotency_key"))
    else:
        submit({"kind": "availability", **body})


class EntryStore:
    def __init__(self, path: Path | None = None) -> None:
        if path is None:
            from agentdesk import paths

            path = paths.data_dir() / "availability.json"
        self.path = Path(path)
        self.problem: str | None = None  # set when a damaged file had to be put aside
        self._data: dict[str, Any] = {"draft": {"slots": []}, "pending": [], "submitted": {}}
        self._load()

    def _load(self) -> None:
        if not self.path.exists():
            return
        try:
            data = read_json(self.path)
            parse_plan(data["draft"])
            if not isinstance(data.get("pending"), list) or not isinstance(data.get("submitted"), dict):
                raise ValueError("pending/submitted")
            self._data = data
        except (OSError, ValueError, KeyError, TypeError, PlanFormatError) as exc:
            aside = self.path.with_name(f"{self.path.stem}.damaged-{now():%Y%m%d%H%M%S}.json")
            try:
                self.path.replace(aside)
            except OSError:
                aside = self.path
            self.problem = f"{self.path} could not be read ({exc}); kept as {aside}"
            log.warning("%s", self.problem)

    def _save(self) -> None:
        tmp = self.path.with_name(self.path.name + ".part")
        tmp.write_text(json.dumps(self._data, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, self.path)

    # ---- the draft ---------------------------------------------------------------------------------------------
    def draft(self) -> Plan:
        return parse_plan(self._data["draft"])

    def save_draft(self, plan: Plan) -> None:
        self._data["draft"] = plan.as_dict()
        self._save()

    # ---- entering weeks ----------------------------------------------------------------------------------------
    def pending(self) -> list[dict[str, Any]]:
        return list(self._data["pending"])

    def submitted(self) -> dict[str, dict[str, Any]]:
        """week_start -> the payload the center (outbox) accepted last for that week."""
        return dict(self._data["submitted"])

    def enter_week(self, plan: Plan, monday: date, submit: Submit | None) -> bool:
        """Keep the week as pending, then try to hand it over. True when ``submit`` accepted it."""
        payload = week_payload(plan, monday)
        self._data["pending"] = [p for p in self._data["pending"] if p["week_start"] != payload["week_start"]]
        self._data["pending"].append(payload)
        self._save()
        return self.flush(submit) == 0 if submit is not None else False

    def flush(self, submit: Submit | None) -> int:
        """Hand every pending week to ``submit``; returns how many stay pending."""
        if submit is None:
            return len(self._data["pending"])
        remaining = []
        for payload in self._data["pending"]:
            try:
                hand_over(submit, payload)
            except Exception as exc:  # the outbox refused: keep it, try again later
                log.warning("availability for week %s not handed over: %s", payload.get("week_start"), exc)
                remaining.append(payload)
            else:
                self._data["submitted"][payload["week_start"]] = payload
        self._data["pending"] = remaining
        self._save()
        return len(remaining)

    def status(self, monday: date, plan: Plan) -> str:
        """'pending', 'submitted', 'changed' (submitted, then edited) or 'draft' for the week of ``monday``."""
        key = monday.isoformat()
        if any(p["week_start"] == key for p in self._data["pending"]):
            return "pending"
        sent = self._data["submitted"].get(key)
        if sent is None:
            return "draft"
        now_slots = [s.as_dict() for s in plan.in_week(monday)]
        return "submitted" if sent["slots"] == now_slots else "changed"


def slots_from_cells(cells: set[tuple[date, int]], slot_minutes: int) -> list[Slot]:
    """Merge painted grid cells (day, minute of day at the cell's start) into slots."""
    out: list[Slot] = []
    by_day: dict[date, list[int]] = {}
    for d, minute in cells:
        by_day.setdefault(d, []).append(minute)
    from datetime import time

    for d in sorted(by_day):
        minutes = sorted(by_day[d])
        start = prev = minutes[0]
        for m in [*minutes[1:], None]:
            if m is not None and m == prev + slot_minutes:
                prev = m
                continue
            end = prev + slot_minutes
            out.append(Slot(d, time(start // 60, start % 60), time(min(end, 23 * 60 + 59) // 60,
                                                                   min(end, 23 * 60 + 59) % 60), len(out)))
            if m is not None:
                start = prev = m
    return out
