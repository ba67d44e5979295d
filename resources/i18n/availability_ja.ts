<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP">
  <context>
    <name>AvailabilityController</name>
    <message>
      <source>Week %1 to %2</source>
      <translation>%1〜%2 の週</translation>
    </message>
    <message>
      <source>Entry deadline: %1 (passed)</source>
      <translation>エントリー締切: %1（締切済み）</translation>
    </message>
    <message>
      <source>Entry deadline: %1 (today)</source>
      <translation>エントリー締切: %1（今日まで）</translation>
    </message>
    <message>
      <source>Entry deadline: %1 (%2 days left)</source>
      <translation>エントリー締切: %1（あと %2 日）</translation>
    </message>
    <message>
      <source>No problems in this week.</source>
      <translation>この週に問題はありません。</translation>
    </message>
    <message>
      <source>Problems in other weeks: %1 (activate to go there)</source>
      <translation>ほかの週にも問題があります: %1（選ぶとその週へ移動します）</translation>
    </message>
    <message>
      <source>Progress for %1</source>
      <translation>%1 の達成状況</translation>
    </message>
    <message>
      <source>Hours entered</source>
      <translation>エントリー時間</translation>
    </message>
    <message>
      <source>h</source>
      <translation>時間</translation>
    </message>
    <message>
      <source>Sat, Sun and holidays</source>
      <translation>うち土日祝</translation>
    </message>
    <message>
      <source>sent to the center</source>
      <translation>センターへ送信済み</translation>
    </message>
    <message>
      <source>entered, waiting to be sent</source>
      <translation>エントリー済み・送信待ち</translation>
    </message>
    <message>
      <source>marked, not entered yet</source>
      <translation>入力済み・未エントリー</translation>
    </message>
    <message>
      <source>The line marks the monthly minimum: %1 h, of which %2 h on Saturdays, Sundays and holidays.</source>
      <translation>縦線は月の最低時間です: %1 時間（うち土日祝 %2 時間）。</translation>
    </message>
    <message>
      <source>The entry deadline of this week has passed: it can no longer be changed.</source>
      <translation>この週はエントリー締切を過ぎたため、変更できません。</translation>
    </message>
    <message>
      <source>Not entered yet: your marks are saved on this PC.</source>
      <translation>未エントリーです。入力した内容はこの PC に保存されています。</translation>
    </message>
    <message>
      <source>Entered and saved on this PC; it will be sent when the center can be reached.</source>
      <translation>エントリー済み（この PC に保存）。センターにつながりしだい送信します。</translation>
    </message>
    <message>
      <source>Entered and handed to the center.</source>
      <translation>エントリー済み。センターへ送信しました。</translation>
    </message>
    <message>
      <source>Changed since you entered it: enter the week again to send the changes.</source>
      <translation>エントリー後に変更があります。変更を送るには、もう一度この週をエントリーしてください。</translation>
    </message>
    <message>
      <source>This week has problems: correct them before entering it.</source>
      <translation>この週には問題があります。直してからエントリーしてください。</translation>
    </message>
  </context>
  <context>
    <name>AvailabilityView</name>
    <message>
      <source>Availability entry</source>
      <translation>事前エントリー</translation>
    </message>
    <message>
      <source>&lt; Previous week</source>
      <translation>&lt; 前の週</translation>
    </message>
    <message>
      <source>Next week &gt;</source>
      <translation>次の週 &gt;</translation>
    </message>
    <message>
      <source>Previous week</source>
      <translation>前の週</translation>
    </message>
    <message>
      <source>Next week</source>
      <translation>次の週</translation>
    </message>
    <message>
      <source>Week shown</source>
      <translation>表示中の週</translation>
    </message>
    <message>
      <source>Entry deadline</source>
      <translation>エントリー締切</translation>
    </message>
    <message>
      <source>Hours of the week</source>
      <translation>この週の稼働可能時間</translation>
    </message>
    <message>
      <source>Click or drag to mark hours. Keyboard: arrow keys move, Space marks or clears, Shift+arrow keys mark while moving, Delete clears.</source>
      <translation>クリックまたはドラッグで時間を塗ります。キーボード: 矢印キーで移動、スペースで塗る／消す、Shift＋矢印キーで移動しながら塗る、Delete で消す。</translation>
    </message>
    <message>
      <source>This month's progress</source>
      <translation>今月の達成状況</translation>
    </message>
    <message>
      <source>Progress toward the monthly minimums</source>
      <translation>月の最低時間に対する達成状況</translation>
    </message>
    <message>
      <source>What the bars show</source>
      <translation>グラフの見方</translation>
    </message>
    <message>
      <source>Problems</source>
      <translation>問題点</translation>
    </message>
    <message>
      <source>Problems with the plan</source>
      <translation>エントリーの問題点</translation>
    </message>
    <message>
      <source>Entry status</source>
      <translation>エントリーの状態</translation>
    </message>
    <message>
      <source>&amp;Enter this week</source>
      <translation>この週をエントリー(&amp;E)</translation>
    </message>
    <message>
      <source>Enter this week</source>
      <translation>この週をエントリー</translation>
    </message>
  </context>
  <context>
    <name>WorkLogController</name>
    <message>
      <source>Worked %1 of the %2 h minimum, %3 calls, talk time %4.</source>
      <translation>稼働 %1（最低 %2 時間）、応対 %3 件、通話時間 %4。</translation>
    </message>
    <message>
      <source>Hours worked</source>
      <translation>稼働時間</translation>
    </message>
    <message>
      <source>h</source>
      <translation>時間</translation>
    </message>
    <message>
      <source>calls</source>
      <translation>件</translation>
    </message>
    <message>
      <source>Calls toward the incentive</source>
      <translation>インセンティブ対象の応対件数</translation>
    </message>
    <message>
      <source>%1 of %2 calls</source>
      <translation>%1 / %2 件</translation>
    </message>
    <message>
      <source>The first month needs at least %1 call; each of the next three months %2 calls.</source>
      <translation>初月は %1 件以上、その後の 3 か月は毎月 %2 件が条件です。</translation>
    </message>
    <message>
      <source>Month %1 (%2): %3 of %4 calls %5</source>
      <translation>%1 か月目（%2）: %3 / %4 件 %5</translation>
    </message>
    <message>
      <source>Every month of the incentive is met.</source>
      <translation>インセンティブの条件をすべての月で達成しました。</translation>
    </message>
    <message>
      <source>A finished month missed its count.</source>
      <translation>条件の件数に届かなかった月があります。</translation>
    </message>
    <message>
      <source>Could not write %1: %2</source>
      <translation>%1 に書き込めませんでした: %2</translation>
    </message>
    <message>
      <source>Saved %1</source>
      <translation>%1 に保存しました</translation>
    </message>
    <message>
      <source>Export the work log</source>
      <translation>稼働記録の書き出し</translation>
    </message>
    <message>
      <source>CSV files (*.csv)</source>
      <translation>CSV ファイル (*.csv)</translation>
    </message>
  </context>
  <context>
    <name>WorkLogView</name>
    <message>
      <source>Work log</source>
      <translation>稼働記録</translation>
    </message>
    <message>
      <source>&lt; Previous month</source>
      <translation>&lt; 前の月</translation>
    </message>
    <message>
      <source>Next month &gt;</source>
      <translation>次の月 &gt;</translation>
    </message>
    <message>
      <source>Previous month</source>
      <translation>前の月</translation>
    </message>
    <message>
      <source>Next month</source>
      <translation>次の月</translation>
    </message>
    <message>
      <source>Month shown</source>
      <translation>表示中の月</translation>
    </message>
    <message>
      <source>E&amp;xport CSV...</source>
      <translation>CSV に書き出す(&amp;X)...</translation>
    </message>
    <message>
      <source>Export the work log as CSV</source>
      <translation>稼働記録を CSV に書き出す</translation>
    </message>
    <message>
      <source>Month summary</source>
      <translation>月のまとめ</translation>
    </message>
    <message>
      <source>Against the contract</source>
      <translation>契約の条件との比較</translation>
    </message>
    <message>
      <source>Hours worked and calls against the minimums</source>
      <translation>稼働時間と応対件数の達成状況</translation>
    </message>
    <message>
      <source>Hours worked per day</source>
      <translation>日ごとの稼働時間</translation>
    </message>
    <message>
      <source>New-agent incentive</source>
      <translation>新人インセンティブ</translation>
    </message>
    <message>
      <source>Hours and calls per day</source>
      <translation>日ごとの稼働時間と応対件数</translation>
    </message>
    <message>
      <source>Date</source>
      <translation>日付</translation>
    </message>
    <message>
      <source>Worked</source>
      <translation>稼働</translation>
    </message>
    <message>
      <source>Breaks</source>
      <translation>休憩</translation>
    </message>
    <message>
      <source>Calls</source>
      <translation>応対件数</translation>
    </message>
    <message>
      <source>Talk time</source>
      <translation>通話時間</translation>
    </message>
    <message>
      <source>Work log status</source>
      <translation>稼働記録の状態</translation>
    </message>
    <message>
      <source>Nothing recorded for this month yet.</source>
      <translation>この月の記録はまだありません。</translation>
    </message>
  </context>
</TS>