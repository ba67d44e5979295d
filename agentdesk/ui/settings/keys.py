"""Choosing keyboard shortcuts without a keyboard trap.

A :class:`ShortcutEdit` is a button that shows its shortcut. Focus can land on it and leave it with Tab like on any
button: it records nothing until the agent presses Enter or Space (or clicks it). Then the next key combination is
taken, unless it is refused; Esc cancels, Backspace or Delete clears, Tab leaves. So Esc, Enter, Tab and Ctrl+Q keep
their meaning everywhere, and a bare Return can never become "start/end work".

:func:`refusal` says why a combination cannot be a shortcut of the shift screen (they act window-wide, also while
the agent types notes): it needs a function key, or Ctrl (or the Meta key); Alt+letter is for menus and access
keys; and the combinations the app itself uses elsewhere are reserved.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QKeyCombination, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QPushButton, QWidget

_MODIFIER_KEYS = {Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta, Qt.Key.Key_AltGr,
                  Qt.Key.Key_CapsLock, Qt.Key.Key_NumLock, Qt.Key.Key_unknown}

# Used by the app itself (menus, the support-script panel, editing, the window system), with what for.
RESERVED: dict[str, str] = {
    "Ctrl+Q": QT_TRANSLATE_NOOP("ShortcutRules", "quit AgentDesk"),
    "Alt+F4": QT_TRANSLATE_NOOP("ShortcutRules", "close the window"),
    "Ctrl+Shift+K": QT_TRANSLATE_NOOP("ShortcutRules", "the self-check"),
    "Ctrl+Shift+E": QT_TRANSLATE_NOOP("ShortcutRules", "availability entry"),
    "Ctrl+Shift+L": QT_TRANSLATE_NOOP("ShortcutRules", "the work log"),
    "Ctrl+Shift+T": QT_TRANSLATE_NOOP("ShortcutRules", "trainer mode"),
    "Ctrl+F": QT_TRANSLATE_NOOP("ShortcutRules", "searching the support scripts"),
    "Ctrl+E": QT_TRANSLATE_NOOP("ShortcutRules", "escalating from the support script"),
    "Ctrl+Shift+C": QT_TRANSLATE_NOOP("ShortcutRules", "copying the script's phrase"),
    "Ctrl+Shift+R": QT_TRANSLATE_NOOP("ShortcutRules", "restarting the support script"),
    "Alt+Left": QT_TRANSLATE_NOOP("ShortcutRules", "going back in the support script"),
    "Ctrl+C": QT_TRANSLATE_NOOP("ShortcutRules", "copy"), "Ctrl+V": QT_TRANSLATE_NOOP("ShortcutRules", "paste"),
    "Ctrl+X": QT_TRANSLATE_NOOP("ShortcutRules", "cut"), "Ctrl+A": QT_TRANSLATE_NOOP("ShortcutRules", "select all"),
    "Ctrl+Z": QT_TRANSLATE_NOOP("ShortcutRules", "undo"), "Ctrl+Y": QT_TRANSLATE_NOOP("ShortcutRules", "redo"),
    "Ctrl+Tab": QT_TRANSLATE_NOOP("ShortcutRules", "switching tabs"),
    "Ctrl+Shift+Tab": QT_TRANSLATE_NOOP("ShortcutRules", "switching tabs"),
}
_NEVER = {Qt.Key.Key_Escape, Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab, Qt.Key.Key_Backtab}


def _t(text: str) -> str:
    return QCoreApplication.translate("ShortcutRules", text)


def refusal(sequence: QKeySequence | str) -> str | None:
    """Why this cannot be a shortcut (translated), or None when it can. An empty sequence (no shortcut) can."""
    seq = QKeySequence(sequence) if isinstance(sequence, str) else sequence
    if seq.isEmpty():
        return None
    if seq.count() != 1:
        return QCoreApplication.translate(
            "ShortcutRules", "Use one key combination, not a sequence of keys.")
    combo: QKeyCombination = seq[0]
    key, mods = combo.key(), combo.keyboardModifiers()
    text = seq.toString(QKeySequence.SequenceFormat.PortableText)
    native = seq.toString(QKeySequence.SequenceFormat.NativeText) or text
    if key in _NEVER and not (key == Qt.Key.Key_Return and mods & Qt.KeyboardModifier.ControlModifier):
        return QCoreApplication.translate(
            "ShortcutRules", "%1 keeps its own meaning (Esc closes, Enter confirms, Tab moves on).").replace(
            "%1", native)
    if text in RESERVED:
        return QCoreApplication.translate(
            "ShortcutRules", "%1 is already used for %2.").replace("%1", native).replace(
            "%2", _t(RESERVED[text]))
    function_key = Qt.Key.Key_F1 <= key <= Qt.Key.Key_F35
    command = bool(mods & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.MetaModifier))
    if not function_key and not command:
        if mods & Qt.KeyboardModifier.AltModifier:
            return QCoreApplication.translate(
                "ShortcutRules", "%1: Alt with a letter or digit opens menus and access keys; add Ctrl or "
                "use a function key.").replace("%1", native)
        return QCoreApplication.translate(
            "ShortcutRules", "%1 alone would act while you type; add Ctrl or use a function key "
            "(F1-F12).").replace("%1", native)
    return None


def valid_or_default(value: str, default: str) -> str:
    """A stored shortcut the rules refuse (an old settings file, a hand edit) falls back to the default."""
    return default if refusal(value) is not None else value


class ShortcutEdit(QPushButton):
    """Shows a shortcut; Enter, Space or a click records a new one (see the module's docstring)."""

    changed = Signal(str)  # the new shortcut (portable text, "" = none)
    refused = Signal(str)  # why the pressed combination was not taken
    recordingChanged = Signal(bool)

    def __init__(self, sequence: QKeySequence | str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._sequence = QKeySequence(sequence)
        self.recording = False
        self.setAutoDefault(False)  # Enter on it records; it never presses the dialog's OK
        self.setCheckable(False)
        self.clicked.connect(self.start_recording)
        self._show()

    def keySequence(self) -> QKeySequence:
        return QKeySequence(self._sequence)

    def setKeySequence(self, sequence: QKeySequence | str) -> None:
        self._sequence = QKeySequence(sequence)
        self._show()

    def start_recording(self) -> None:
        if not self.recording:
            self.recording = True
            self._show()
            self.recordingChanged.emit(True)

    def stop_recording(self) -> None:
        if self.recording:
            self.recording = False
            self._show()
            self.recordingChanged.emit(False)

    def _show(self) -> None:
        if self.recording:
            self.setText(self.tr("Press the new keys... (Esc: cancel, Backspace: none)"))
        else:
            shown = self._sequence.toString(QKeySequence.SequenceFormat.NativeText)
            self.setText(shown or self.tr("(none)"))
        self.setAccessibleDescription(self.tr("Press Enter to change this shortcut"))

    def event(self, event: QEvent) -> bool:
        # While recording, window shortcuts (Ctrl+Q, F2...) must not fire: the key comes to this box instead.
        if (self.recording and event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent)
                and event.key() not in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab)):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self.recording:
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers() & ~(
                    Qt.KeyboardModifier.KeypadModifier):
                self.start_recording()  # Enter changes this shortcut; it never presses the dialog's OK
                return
            super().keyPressEvent(event)  # Space presses the button (starts recording); other keys pass on
            return
        key = Qt.Key(event.key())
        mods = event.modifiers() & (Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier
                                    | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier)
        if key in _MODIFIER_KEYS:
            return
        if key == Qt.Key.Key_Escape and not mods:
            self.stop_recording()
            return
        if key in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete) and not mods:
            self._sequence = QKeySequence()
            self.stop_recording()
            self.changed.emit("")
            return
        seq = QKeySequence(QKeyCombination(mods, key))
        reason = refusal(seq)
        if reason is not None:
            self.refused.emit(reason)
            return  # still recording: the agent tries another combination (or Esc)
        self._sequence = seq
        self.stop_recording()
        self.changed.emit(seq.toString(QKeySequence.SequenceFormat.PortableText))

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.stop_recording()
        super().focusOutEvent(event)
