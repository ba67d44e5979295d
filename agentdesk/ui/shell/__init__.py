"""The main window's frame: title, menus, language switch, status area. The shift screen lives inside it."""
