"""Test doubles of the center, reusable by other areas\x27 tests and the packaging smoke test."""
