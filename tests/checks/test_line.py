"""Line type on a table of numbers of every kind and written form."""

from __future__ import annotations

import pytest

from agentdesk.checks.base import CheckContext
from agentdesk.checks.line import LineCheck, classify

FIXED = [
    ("03-1234-5678", "+81312345678"),
    ("0312345678", "+81312345678"),
    ("03 1234 5678", "+81312345678"),
    ("(03)1234-5678", "+81312345678"),
    ("03(1234)5678", "+81312345678"),
    ("+81 3-1234-5678", "+81312345678"),
    ("+81-(0)3-1234-5678", "+81312345678"),
    ("+81312345678", "+81312345678"),
    ("０３－１２３４－５６７８", "+81312345678"),
    ("０３ー１２３４ー５６７８", "+81312345678"),  # katakana long vowel mark typed as a hyphen
    ("（０３）１２３４－５６７８", "+81312345678"),
    ("＋８１　３　１２３４　５６７８", "+81312345678"),
    ("0466-12-3456", "+81466123456"),
    ("06-6123-4567", "+81661234567"),
    ("0467‐12‐3456", "+81467123456"),  # U+2010 hyphen
    ("092−123−4567", "+81921234567"),  # U+2212 minus sign
]

NOT_FIXED = [
    ("090-1234-5678", "mobile", "+819012345678"),
    ("080 1234 5678", "mobile", "+818012345678"),
    ("070-1234-5678", "mobile", "+817012345678"),
    ("０９０－１２３４－５６７８", "mobile", "+819012345678"),
    ("+81 90 1234 5678", "mobile", "+819012345678"),
    ("060-1234-5678", "mobile", "+816012345678"),
    ("050-1234-5678", "ip_phone", "+815012345678"),
    ("０５０－１２３４－５６７８", "ip_phone", "+815012345678"),
    ("0120-123-456", "toll_free", "+81120123456"),
    ("0800-123-4567", "toll_free", "+818001234567"),
    ("0570-123-456", "other", "+81570123456"),
    ("0990-123-456", "other", "+81990123456"),
    ("020-1234-5678", "other", "+812012345678"),
    ("+1 650-253-0000", "other", "+16502530000"),
]

INVALID = ["", "   ", "abc", "1234", "03-1234-567", "03-1234-56789", "0180-123-456", "03-1234-5678 ext 9",
           "電話番号", "110", "+81", "03-12a4-5678"]


@pytest.mark.parametrize(("written", "e164"), FIXED)
def test_every_written_form_of_a_fixed_line_passes(written: str, e164: str) -> None:
    info = classify(written)
    assert info["line_type"] == "fixed_line", info
    assert info["normalized"] == e164
    result = LineCheck().execute(CheckContext(line_number=written))
    assert result.status == "pass"
    assert result.details["normalized"] == e164
    # No number proves a metallic line without a cordless handset: the agent must still confirm.
    assert result.confirmation is not None and "コードレス" in result.confirmation.ja


@pytest.mark.parametrize(("written", "kind", "e164"), NOT_FIXED)
def test_mobile_ip_toll_free_and_other_numbers_fail(written: str, kind: str, e164: str) -> None:
    result = LineCheck().execute(CheckContext(line_number=written))
    assert result.status == "fail"
    assert result.details["line_type"] == kind
    assert result.details["normalized"] == e164
    assert result.remedy is not None and "固定電話" in result.remedy.ja


@pytest.mark.parametrize("written", INVALID)
def test_invalid_input_fails_with_a_clear_message(written: str) -> None:
    result = LineCheck().execute(CheckContext(line_number=written))
    if not written.strip():
        assert result.status == "skipped"
        return
    assert result.status == "fail"
    assert result.details["line_type"] == "invalid"
    assert result.details["normalized"] is None
    assert written.strip() in result.summary.ja


def test_confirmation_given_or_refused() -> None:
    ok = LineCheck().execute(CheckContext(line_number="03-1234-5678", line_confirmed=True))
    assert ok.status == "pass" and ok.confirmation is None
    refused = LineCheck().execute(CheckContext(line_number="03-1234-5678", line_confirmed=False))
    assert refused.status == "fail"
