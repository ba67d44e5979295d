"""Test doubles of the center, reusable by the tests of other areas and the packaging smoke test."""
