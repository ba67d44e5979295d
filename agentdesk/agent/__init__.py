"""The agent's session during a shift: states, calls, wrap-up, breaks, start and end of work. Qt-free."""
