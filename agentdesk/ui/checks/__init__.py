"""The self-check wizard (Qt). ``open_self_check()`` for the main window's menu; ``run_wizard()`` for
``agentdesk check --gui``."""

from __future__ import annotations

import argparse
from typing import Any

from PySide6.QtWidgets import QWidget


def open_self_check(parent: QWidget | None = None, language: str | None = None, checks: list[str] | None = None,
                    context: dict[str, Any] | None = None, **options: Any) -> QWidget:
    """Create the wizard (a window of its own when ``parent`` is None, or a child of ``parent``) and show it.
    ``context`` overrides what the settings give (e.g. ``{"echo_target": "sip:echo@center"}``); the controller is
    reachable as ``widget.controller``."""
    from PySide6.QtCore import Qt

    from agentdesk import settings
    from agentdesk.ui.checks.controller import SelfCheckController
    from agentdesk.ui.checks.view import SelfCheckView

    store = settings.load().settings
    if context and "context_factory" not in options:
        fixed = dict(context)

        def factory(**kw: Any) -> Any:
            from agentdesk.checks.config import context_from_settings

            return context_from_settings(store, **{**fixed, **{k: v for k, v in kw.items() if v is not None}})

        options["context_factory"] = factory
    view = SelfCheckView(parent)
    if parent is not None:
        view.setWindowFlag(Qt.WindowType.Window, True)
    controller = SelfCheckController(view, language=language or store.language, checks=checks,
                                     initial_number=(context or {}).get("line_number") or store.center.fixed_line_number,
                                     **options)
    view.controller = controller  # type: ignore[attr-defined]
    view.show()
    view.line_edit.setFocus()
    return view


def run_wizard(args: argparse.Namespace, context: dict[str, Any] | None = None) -> int:
    from agentdesk import log as agentdesk_log
    from agentdesk import settings
    from agentdesk.ui.app import create_app
    from agentdesk.ui.translation import LanguageSwitcher

    agentdesk_log.setup()
    language = getattr(args, "lang", None) or settings.load().settings.language
    app = create_app()
    languages = LanguageSwitcher(app)
    languages.set_language(language)
    checks = None
    only = getattr(args, "only", None)
    if only:
        checks = [n.strip() for n in only.split(",") if n.strip()]
    if getattr(args, "name", None):
        checks = [args.name]
    widget = open_self_check(None, language=language, checks=checks, context=context)
    widget.resize(720, 620)
    app.exec()
    data = widget.controller.report_json  # type: ignore[attr-defined]
    if data is None:
        return 0
    from agentdesk.checks.base import exit_code

    return exit_code(data["overall"])
