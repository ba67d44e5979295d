"""Headset call controls over USB HID (Telephony page 0x0B, LED page 0x08): docs/headset.md.

- ``descriptor``: the HID report descriptor parser;
- ``telephony``: the buttons and lights a descriptor offers (``call_controls``);
- ``state``: the call-control state machine (pure);
- ``pairing``: which HID device belongs to the call's sound device (Linux sysfs, Windows container ids);
- ``service``: the headset thread (hidapi I/O, discovery, hot-plug, locking);
- ``control``: the engine thread's side (events, configure, the ``headset`` command).
"""
