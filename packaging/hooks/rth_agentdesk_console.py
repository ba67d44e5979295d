"""Runtime hook: on Windows the frozen AgentDesk.exe is a windowed (GUI-subsystem) program, so that the agent's
double-click opens no console. Its subcommands (``AgentDesk.exe check --json``, ``--version``, ``engine``) still
print to the console they were typed in: when the standard handles are missing, attach to the parent's console.

When the UI starts ``AgentDesk.exe engine`` with pipes, the handles exist and nothing changes here.
"""

import os
import sys


def _attach_parent_console() -> None:
    if sys.platform != "win32" or len(sys.argv) < 2:
        return
    if sys.stdout is not None and sys.stderr is not None:
        return
    import ctypes

    ATTACH_PARENT_PROCESS = -1
    if not ctypes.windll.kernel32.AttachConsole(ATTACH_PARENT_PROCESS):
        return  # started from Explorer or a shortcut: no console to print to
    if sys.stdout is None:
        sys.stdout = open("CONOUT$", "w", encoding="utf-8", errors="replace", buffering=1)
    if sys.stderr is None:
        sys.stderr = open("CONOUT$", "w", encoding="utf-8", errors="replace", buffering=1)
    if sys.stdin is None:
        sys.stdin = open("CONIN$", encoding="utf-8", errors="replace")
    os.environ.setdefault("AGENTDESK_ATTACHED_CONSOLE", "1")


_attach_parent_console()
