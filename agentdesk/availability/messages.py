"""Every message of the availability rules and the work log, in Japanese and English (placeholders: str.format)."""

from __future__ import annotations

from agentdesk.i18n import Text

# Reading the plan
FILE_MISSING = Text(ja="エントリーファイル {path} が見つかりません。", en="The plan file {path} does not exist.")
FILE_UNREADABLE = Text(ja="エントリーファイル {path} を読めません（{reason}）。",
                       en="The plan file {path} cannot be read ({reason}).")
NOT_JSON = Text(ja="エントリーファイル {path} が JSON として読めません（{line} 行 {column} 文字目: {reason}）。",
                en="The plan file {path} is not valid JSON (line {line}, column {column}: {reason}).")
NOT_AN_OBJECT = Text(ja='エントリーは {"slots": [...]} の形で書いてください。',
                     en='The plan must be an object of the form {"slots": [...]}.')
NO_SLOTS = Text(ja='エントリーに "slots" の一覧がありません。', en='The plan has no "slots" list.')
SLOT_NOT_OBJECT = Text(ja='{where} は {{"date", "start", "end"}} を持つ項目にしてください。',
                       en='{where} must be an object with "date", "start" and "end".')
SLOT_MISSING = Text(ja="{where} に {keys} がありません。", en="{where} lacks {keys}.")
BAD_DATE = Text(ja="{where} の日付 {value} が読めません。YYYY-MM-DD の形で、実在する日付を書いてください。",
                en="{where}: the date {value} is not a real date in the form YYYY-MM-DD.")
BAD_TIME = Text(ja="{where} の時刻 {value} が読めません。HH:MM（00:00〜23:59）の形で書いてください。",
                en="{where}: the time {value} is not a time in the form HH:MM (00:00-23:59).")
BAD_PERIOD = Text(ja='"period" は {"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"} の形で、from を to 以前にしてください。',
                  en='"period" must be {"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"} with from not after to.')
DATE_OUT_OF_RANGE = Text(ja="{where} の日付 {value} は扱える範囲（{first} 年から {last} 年）の外です。",
                         en="{where}: the date {value} is outside the years this app handles ({first}-{last}).")
RULES_BAD = Text(ja="ルールのファイルの {key} が正しくありません（{reason}）。",
                 en="The rules file's {key} is not valid ({reason}).")
BAD_TODAY = Text(ja="--today の日付 {value} が読めません。YYYY-MM-DD の形で書いてください。",
                 en="--today {value} is not a date in the form YYYY-MM-DD.")

# Rules (errors)
OUTSIDE_SERVICE_HOURS = Text(
    ja="{date} {start}〜{end} は受付時間（{open}〜{close}）の外にかかっています。",
    en="{date} {start}-{end} is outside the service hours ({open}-{close}).")
END_NOT_AFTER_START = Text(ja="{date} {start}〜{end}: 終了時刻が開始時刻より後になっていません。",
                           en="{date} {start}-{end}: the end is not after the start.")
OVERLAP = Text(ja="{date} {start}〜{end} は同じ日の {other_start}〜{other_end} と重なっています。",
               en="{date} {start}-{end} overlaps {other_start}-{other_end} on the same day.")
IN_THE_PAST = Text(ja="{date} {start}〜{end} は過去の日付です（今日は {today}）。",
                   en="{date} {start}-{end} is in the past (today is {today}).")
LATE_ENTRY = Text(
    ja="{monday}〜{sunday} の週のエントリー締切は {deadline} でした（開始の {lead} 日前まで）。",
    en="The week {monday} to {sunday} had to be entered by {deadline} ({lead} days before its Monday).")

# Monthly figures (warnings)
MONTH_SHORT_ENTRY = Text(ja="{month} のエントリーは {hours} 時間で、月の最低 {minimum} 時間に {missing} 時間足りません。",
                         en="{month}: {hours} h entered, {missing} h short of the monthly minimum of {minimum} h.")
MONTH_SHORT_WEEKEND = Text(
    ja="{month} の土日祝のエントリーは {hours} 時間で、最低 {minimum} 時間に {missing} 時間足りません。",
    en="{month}: {hours} h entered on Saturdays, Sundays and holidays, {missing} h short of the minimum of {minimum} h.")
MONTH_PARTIAL = Text(
    ja="{month} はこのエントリーに一部の週しか含まれていません（{first}〜{last}）。ここまでで {hours} 時間（土日祝 {weekend} 時間）、"
       "月の最低は {minimum} 時間（土日祝 {weekend_minimum} 時間）です。",
    en="{month} is only partly covered by this plan ({first} to {last}): {hours} h so far ({weekend} h on "
       "Saturdays, Sundays and holidays); the monthly minimum is {minimum} h ({weekend_minimum} h).")

# Work log
WORKLOG_RECOVERED = Text(
    ja="前回の業務（{start} 開始）は終了の記録がありませんでした。最後に記録された {end} で終了として扱いました。",
    en="The previous work session (started {start}) was never ended; it was closed at {end}, the last moment recorded.")

VALID = Text(ja="エントリーはすべてのルールを満たしています。", en="The plan meets every rule.")
INVALID = Text(ja="エントリーに {count} 件の問題があります。", en="The plan has {count} problem(s).")
