"""After a language switch, the lists the center sent are shown in the new language too.

The shift screen fills its reason codes, escalation targets, wrap-up codes and practice scenarios from the
center's provisioning once, at sign-in. Qt's LanguageChange re-translates the app's own strings only, so this
relabels those lists in place: each entry keeps its code (and the agent's current choice stays chosen) and takes
the label in the new language. A label the center sent in one language only is shown as sent (agentdesk.center.wire
fills the missing language with the one given).
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt

log = logging.getLogger(__name__)


def relabel_center_lists(desk: Any) -> None:
    lang = desk.language()
    prov = desk.provisioning
    v = desk.view
    reasons = {r.code: r.label for r in getattr(prov, "reason_codes", [])}
    for combo in (v.not_ready_reason, v.break_reason):
        _relabel_combo(combo, reasons, lang)
    _relabel_combo(v.escalation_target, {t.name: t.label for t in getattr(prov, "escalation_targets", [])}, lang)
    codes = {c.code: c.label for c in getattr(prov, "wrap_up_codes", [])}
    for i in range(v.wrap_up_codes.count()):
        item = v.wrap_up_codes.item(i)
        label = codes.get(item.data(Qt.ItemDataRole.UserRole))
        if label is not None:
            item.setText(label.pick(lang))
    if v.practice_scenario.count():  # the desk core's choices: the customer's first words, never the answer
        _relabel_combo(v.practice_scenario, {c.id: c.label for c in desk.core.practice_choices()}, lang)


def _relabel_combo(combo: Any, labels: dict[str, Any], lang: str) -> None:
    for i in range(combo.count()):
        label = labels.get(combo.itemData(i))
        if label is not None:
            combo.setItemText(i, label.pick(lang))
