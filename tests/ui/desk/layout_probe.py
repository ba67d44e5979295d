"""Run in a fresh process (QT_SCALE_FACTOR must be set before Qt starts): build the main window with the shift
screen in one language, show each page, and print JSON with the window's minimum size and any clipped button.

    QT_SCALE_FACTOR=1.5 python -m tests.ui.desk.layout_probe en
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time


def main(language: str) -> int:
    for name in ("CONFIG", "DATA", "LOG"):
        os.environ.setdefault(f"AGENTDESK_{name}_DIR", tempfile.mkdtemp(prefix=f"probe-{name.lower()}-"))
    import keyring

    from tests.infra.memory_keyring import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())
    from PySide6.QtWidgets import QApplication, QPushButton, QWidget

    from agentdesk import settings
    from agentdesk.agent.session import Call
    from agentdesk.ui.app import build_main_window, create_app
    from agentdesk.ui.desk.sound import SoundPlayer
    from agentdesk.ui.desk.wiring import Services, attach_desk, engine_factory
    from tests.fakes.fake_center import FakeCenter

    app = create_app()
    store = settings.Settings()
    center = FakeCenter()
    main = build_main_window(app, store, language, save_settings=False)
    desk = attach_desk(main, Services(connection=center.connection(store.center)), store,
                       engine=engine_factory([sys.executable, "-m", "tests.fakes.fake_engine"]),
                       sound=SoundPlayer(enabled=False))
    desk.sign_in("agent1001", "pass1234")
    deadline = time.monotonic() + 10
    while not desk.signed_in and time.monotonic() < deadline:  # sign-in runs on a worker
        app.processEvents()
        time.sleep(0.01)
    desk.session.start_work()
    desk.session.set_ready()
    desk.session.incoming(Call("1", contract_id="C-2024-00042", line="support"))
    window = main.view
    window.resize(1280, 680)  # 1920x1080 at 150% is 1280x720 logical; minus a taskbar
    window.show()
    report: dict = {"language": language, "scale": os.environ.get("QT_SCALE_FACTOR", "1"), "pages": {}}
    view = desk.view
    for name, page in (("idle", view.idle_page), ("ringing", view.ringing_page), ("call", view.call_page),
                       ("wrap_up", view.wrap_up_page)):
        view.pages.setCurrentWidget(page)
        app.processEvents()
        hint = window.minimumSizeHint()
        clipped = []
        for b in view.findChildren(QPushButton):
            if b.isVisible() and b.text() and b.fontMetrics().horizontalAdvance(b.text().replace("&", "")) > b.width():
                clipped.append(b.text())
        outside = []
        for w in page.findChildren(QWidget):
            if not w.isVisible() or w.window() is not window:
                continue
            bottom_right = w.mapTo(window, w.rect().bottomRight())
            if bottom_right.y() > window.height() or bottom_right.x() > window.width():
                outside.append(f"{type(w).__name__}:{w.objectName()}")
        report["pages"][name] = {"min_w": hint.width(), "min_h": hint.height(), "clipped": clipped,
                                 "outside": outside[:10], "w": window.width(), "h": window.height()}
    print(json.dumps(report, ensure_ascii=False))
    for hook in main.before_quit:
        hook()
    QApplication.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "ja"))
