"""Environment self-checks (Qt-free): see docs/self-check.md."""
