"""The settings dialog: account, devices, voice processing, language, shortcuts, start with the system."""
