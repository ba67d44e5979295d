"""The shift screen: state, calls, escalation, wrap-up, own numbers."""
