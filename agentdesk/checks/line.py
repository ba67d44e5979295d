"""Line type: the agent's fixed-line number must be a Japanese fixed line (0AB-J, 10 digits with the area code).

Mobile (070/080/090/060), IP phone (050), 020, toll free (0120/0800), navi-dial (0570), premium (0990) and
numbers of other countries are not fixed lines (domain.md). People type numbers with hyphens, spaces, parentheses,
+81 and full-width digits (０３－１２３４－５６７８): all are accepted. ``phonenumbers`` classifies the number; no
number can prove a metallic line without a cordless handset or a prohibited service, so a valid fixed line still
carries a confirmation the agent must give.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import phonenumbers
from phonenumbers import PhoneNumberType

from agentdesk.checks.base import Check, CheckContext, CheckResult
from agentdesk.i18n import Text

LINE_TYPES = ("fixed_line", "mobile", "ip_phone", "toll_free", "other", "invalid")

_TYPE_MAP: dict[int, str] = {
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.VOIP: "ip_phone",
    PhoneNumberType.TOLL_FREE: "toll_free",
}

_TYPE_TEXT: dict[str, Text] = {
    "fixed_line": Text(ja="固定電話", en="fixed line"),
    "mobile": Text(ja="携帯電話", en="mobile phone"),
    "ip_phone": Text(ja="IP電話（050）", en="IP phone (050)"),
    "toll_free": Text(ja="フリーダイヤル", en="toll-free number"),
    "other": Text(ja="その他の番号（ナビダイヤル・020・有料番号・海外など）",
                  en="another kind of number (navi-dial, 020, premium rate, foreign...)"),
    "invalid": Text(ja="電話番号として正しくない番号", en="not a valid phone number"),
}

# Dashes people type for a hyphen: full-width hyphen-minus (NFKC folds it), minus sign, katakana long vowel mark,
# figure and en/em dashes, horizontal bar.
_DASHES = re.compile("[\u2010-\u2015\u2212\u30fc\uff70\u2500\u301c\uff5e~]")
_ALLOWED = re.compile(r"^[0-9+()\-. ]+$")

CONFIRMATION = Text(
    ja="この番号が、作業部屋まで配線された固定電話回線であり、コードレス（子機）を使わず、センターが禁止する"
    "サービス（転送・キャッチホン等）を契約していないことを確認してください。",
    en="Confirm that this number is a fixed telephone line wired to your work room, that you will not use a "
    "cordless handset, and that the line carries none of the services the center prohibits (call forwarding, "
    "call waiting and the like).",
)


def normalize_text(raw: str) -> str:
    """Fold full-width characters and the many dashes into ASCII; drop spaces of every width."""
    text = unicodedata.normalize("NFKC", raw)
    text = _DASHES.sub("-", text)
    return re.sub(r"\s+", " ", text).strip()


def classify(raw: str) -> dict[str, Any]:
    """``{"line_type", "normalized" (E.164 or None), "national" (0AB-J form or None), "input"}``."""
    text = normalize_text(raw)
    out: dict[str, Any] = {"input": raw, "line_type": "invalid", "normalized": None, "national": None}
    if not text or not _ALLOWED.match(text) or sum(c.isdigit() for c in text) < 4:
        return out
    try:
        number = phonenumbers.parse(text, "JP")
    except phonenumbers.NumberParseException:
        return out
    if not phonenumbers.is_valid_number(number):
        return out
    out["normalized"] = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if number.country_code != 81:
        out["line_type"] = "other"
        out["country_code"] = number.country_code
        return out
    out["national"] = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    line_type = _TYPE_MAP.get(phonenumbers.number_type(number), "other")
    # 0AB-J: ten digits with the leading 0, i.e. nine significant digits.
    if line_type == "fixed_line" and len(phonenumbers.national_significant_number(number)) != 9:
        line_type = "other"
    out["line_type"] = line_type
    return out


class LineCheck(Check):
    name = "line"
    title = Text(ja="固定電話回線", en="Fixed telephone line")

    def run(self, ctx: CheckContext) -> CheckResult:
        raw = ctx.line_number
        if raw is None or not raw.strip():
            return self.result(
                "skipped",
                Text(ja="固定電話の番号が入力されていません。", en="No fixed-line number was entered."),
                {"line_type": None, "normalized": None},
                Text(ja="作業部屋の固定電話の番号（市外局番から10桁）を入力してください。",
                     en="Enter the number of the fixed line in your work room (10 digits with the area code)."),
            )
        info = classify(raw)
        kind = _TYPE_TEXT[info["line_type"]]
        if info["line_type"] == "fixed_line":
            confirmed = ctx.line_confirmed
            info["confirmed"] = confirmed
            summary = Text(ja="{n} は固定電話の番号です。", en="{n} is a fixed-line number.").format(
                n=info["national"])
            if confirmed is False:
                return self.result(
                    "fail", Text(ja="{n} は固定電話の番号ですが、利用条件を満たしていないと回答されました。",
                                 en="{n} is a fixed-line number, but you answered that the line does not meet "
                                 "the conditions.").format(n=info["national"]),
                    info,
                    Text(ja="子機を使わず、禁止サービスを解約した固定回線を用意してください。",
                         en="Use the line without a cordless handset and cancel the prohibited services."),
                    CONFIRMATION)
            return self.result("pass", summary, info, None, CONFIRMATION if confirmed is not True else None)
        if info["line_type"] == "invalid":
            summary = Text(ja="「{raw}」は電話番号として読み取れません。",
                           en="\u201c{raw}\u201d cannot be read as a phone number.").format(raw=raw.strip())
            remedy = Text(ja="市外局番から始まる10桁の番号を入力してください（例: 03-1234-5678）。",
                          en="Enter the 10-digit number starting with the area code (e.g. 03-1234-5678).")
        else:
            n = info["national"] or info["normalized"]
            summary = Text(ja=f"{n} は{kind.ja}の番号で、固定電話ではありません。",
                           en=f"{n} is a {kind.en}, not a fixed line.")
            remedy = Text(ja="携帯電話・IP電話（050）・フリーダイヤルなどは使えません。作業部屋に配線された"
                          "固定電話回線（市外局番から始まる10桁）の番号を入力してください。",
                          en="Mobile phones, IP phones (050) and toll-free numbers cannot be used. Enter the "
                          "number of a fixed line wired to your work room (10 digits starting with the area "
                          "code).")
        return self.result("fail", summary, info, remedy)
