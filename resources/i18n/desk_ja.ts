<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP">
<context>
    <name>DeskController</name>
    <message>
        <source>You are on a call. Quitting ends the call. Quit anyway?</source>
        <translation>通話中です。終了すると通話が切れます。終了しますか？</translation>
    </message>
</context>
<context>
    <name>ShiftRenderer</name>
    <message>
        <source>Calls today (tick: your daily average)</source>
        <translation>本日の応対件数（目盛り: 1日の平均）</translation>
    </message>
    <message>
        <source>%1 (average %2)</source>
        <translation>%1 件（平均 %2）</translation>
    </message>
    <message>
        <source>Talk time today (tick: your daily average)</source>
        <translation>本日の通話時間（目盛り: 1日の平均）</translation>
    </message>
    <message>
        <source>Calls this month (by day)</source>
        <translation>今月の応対件数（日別）</translation>
    </message>
    <message>
        <source>Talk time this month (bar: share of hours worked)</source>
        <translation>今月の通話時間（棒: 稼働時間に占める割合）</translation>
    </message>
    <message>
        <source>Hours worked this month (minimum 65 h)</source>
        <translation>今月の稼働時間（最低 65 時間）</translation>
    </message>
    <message>
        <source>%1 of %2 h</source>
        <translation>%1 / %2 時間</translation>
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
        <source>Offline</source>
        <translation>オフライン</translation>
    </message>
    <message>
        <source>Not ready</source>
        <translation>受付停止</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>受付可</translation>
    </message>
    <message>
        <source>Ringing</source>
        <translation>着信中</translation>
    </message>
    <message>
        <source>On a call</source>
        <translation>通話中</translation>
    </message>
    <message>
        <source>After-call work</source>
        <translation>後処理中</translation>
    </message>
    <message>
        <source>On break</source>
        <translation>休憩中</translation>
    </message>
    <message>
        <source>End work</source>
        <translation>業務終了</translation>
    </message>
    <message>
        <source>Start work</source>
        <translation>業務開始</translation>
    </message>
    <message>
        <source>Break</source>
        <translation>休憩</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>応答</translation>
    </message>
    <message>
        <source>Hang up</source>
        <translation>切断</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>保留解除</translation>
    </message>
    <message>
        <source>Hold</source>
        <translation>保留</translation>
    </message>
    <message>
        <source>Unmute</source>
        <translation>ミュート解除</translation>
    </message>
    <message>
        <source>Mute</source>
        <translation>ミュート</translation>
    </message>
    <message>
        <source>Dial pad</source>
        <translation>ダイヤルパッド</translation>
    </message>
    <message>
        <source>Escalate to the center</source>
        <translation>センターへエスカレーション</translation>
    </message>
    <message>
        <source>Raise hand</source>
        <translation>手上げ</translation>
    </message>
    <message>
        <source>Done, go ready</source>
        <translation>完了して受付可へ</translation>
    </message>
    <message>
        <source>Done, go not ready</source>
        <translation>完了して受付停止へ</translation>
    </message>
    <message>
        <source>&amp;Disposition code (required)</source>
        <translation>対応結果コード（必須）(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Disposition code</source>
        <translation>対応結果コード(&amp;D)</translation>
    </message>
    <message>
        <source>Press Start work to sign in and begin your shift.</source>
        <translation>「業務開始」を押すとサインインして業務を始めます。</translation>
    </message>
    <message>
        <source>Waiting for a call.</source>
        <translation>着信を待っています。</translation>
    </message>
    <message>
        <source>Ringing for %1</source>
        <translation>呼び出し中 %1</translation>
    </message>
    <message>
        <source>On hold for %1</source>
        <translation>保留中 %1</translation>
    </message>
    <message>
        <source>After-call work: %1</source>
        <translation>後処理: %1</translation>
    </message>
    <message>
        <source>(back to ready in %1)</source>
        <translation>（あと %1 で受付可に戻ります）</translation>
    </message>
    <message>
        <source>%1: over by %2</source>
        <translation>%1: %2 超過</translation>
    </message>
    <message>
        <source>%1: %2 of %3</source>
        <translation>%1: %2 / %3</translation>
    </message>
    <message>
        <source>(on hold)</source>
        <translation>（保留中）</translation>
    </message>
    <message>
        <source>Incoming call</source>
        <translation>着信</translation>
    </message>
    <message>
        <source>The center is calling your phone</source>
        <translation>センターから固定電話に着信中</translation>
    </message>
</context>
<context>
    <name>ShiftView</name>
    <message>
        <source>Agent state</source>
        <translation>エージェントの状態</translation>
    </message>
    <message>
        <source>State details</source>
        <translation>状態の詳細</translation>
    </message>
    <message>
        <source>Phone status</source>
        <translation>電話の状態</translation>
    </message>
    <message>
        <source>Notices</source>
        <translation>お知らせ</translation>
    </message>
    <message>
        <source>Not-ready reason</source>
        <translation>受付停止の理由</translation>
    </message>
    <message>
        <source>Break type</source>
        <translation>休憩の種類</translation>
    </message>
    <message>
        <source>Settings...</source>
        <translation>設定…</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>設定</translation>
    </message>
    <message>
        <source>Go ready</source>
        <translation>受付可にする</translation>
    </message>
    <message>
        <source>Go not ready</source>
        <translation>受付停止にする</translation>
    </message>
    <message>
        <source>Take a break</source>
        <translation>休憩に入る</translation>
    </message>
    <message>
        <source>Start or end work</source>
        <translation>業務開始・終了</translation>
    </message>
    <message>
        <source>My numbers</source>
        <translation>わたしの実績</translation>
    </message>
    <message>
        <source>Practice call (practice center)</source>
        <translation>練習通話（練習用センター）</translation>
    </message>
    <message>
        <source>Practice scenario</source>
        <translation>練習シナリオ</translation>
    </message>
    <message>
        <source>Start a practice call</source>
        <translation>練習通話を始める</translation>
    </message>
    <message>
        <source>Incoming call</source>
        <translation>着信</translation>
    </message>
    <message>
        <source>Answer the call</source>
        <translation>電話に出る</translation>
    </message>
    <message>
        <source>Decline</source>
        <translation>拒否</translation>
    </message>
    <message>
        <source>Decline the call</source>
        <translation>着信を拒否する</translation>
    </message>
    <message>
        <source>Caller (contract and line)</source>
        <translation>発信者（契約と窓口）</translation>
    </message>
    <message>
        <source>Call information</source>
        <translation>通話の情報</translation>
    </message>
    <message>
        <source>Call duration</source>
        <translation>通話時間</translation>
    </message>
    <message>
        <source>Call quality</source>
        <translation>通話品質</translation>
    </message>
    <message>
        <source>Hold</source>
        <translation>保留</translation>
    </message>
    <message>
        <source>Mute</source>
        <translation>ミュート</translation>
    </message>
    <message>
        <source>Dial pad</source>
        <translation>ダイヤルパッド</translation>
    </message>
    <message>
        <source>Hang up</source>
        <translation>切断</translation>
    </message>
    <message>
        <source>Send tone %1</source>
        <translation>トーン %1 を送る</translation>
    </message>
    <message>
        <source>Escalation</source>
        <translation>エスカレーション</translation>
    </message>
    <message>
        <source>Escalation target</source>
        <translation>エスカレーション先</translation>
    </message>
    <message>
        <source>Escalate to the center</source>
        <translation>センターへエスカレーション</translation>
    </message>
    <message>
        <source>Escalation progress</source>
        <translation>エスカレーションの進行状況</translation>
    </message>
    <message>
        <source>Raise hand to a supervisor</source>
        <translation>スーパーバイザーに手上げする</translation>
    </message>
    <message>
        <source>&amp;Notes (no personal data)</source>
        <translation>メモ（個人情報は書かない）(&amp;N)</translation>
    </message>
    <message>
        <source>Call notes</source>
        <translation>通話メモ</translation>
    </message>
    <message>
        <source>Support script</source>
        <translation>応対スクリプト</translation>
    </message>
    <message>
        <source>The support script for this call appears here.</source>
        <translation>この通話の応対スクリプトがここに表示されます。</translation>
    </message>
    <message>
        <source>After-call work</source>
        <translation>後処理</translation>
    </message>
    <message>
        <source>&amp;Reconnect my line</source>
        <translation>回線をつなぎ直す(&amp;R)</translation>
    </message>
    <message>
        <source>Ask the center to call your landline again</source>
        <translation>センターに固定電話へかけ直してもらう</translation>
    </message>
    <message>
        <source>Close the result</source>
        <translation>結果を閉じる</translation>
    </message>
    <message>
        <source>Close the practice result</source>
        <translation>練習通話の結果を閉じる</translation>
    </message>
    <message>
        <source>Practice result</source>
        <translation>練習通話の結果</translation>
    </message>
    <message>
        <source>What the customer says</source>
        <translation>お客さまの発言</translation>
    </message>
    <message>
        <source>Ringing for</source>
        <translation>呼び出し時間</translation>
    </message>
    <message>
        <source>On hold for</source>
        <translation>保留時間</translation>
    </message>
    <message>
        <source>Escalation result</source>
        <translation>エスカレーションの結果</translation>
    </message>
    <message>
        <source>After-call work time</source>
        <translation>後処理時間</translation>
    </message>
    <message>
        <source>Disposition code</source>
        <translation>対応結果コード</translation>
    </message>
    <message>
        <source>N&amp;otes</source>
        <translation>メモ(&amp;O)</translation>
    </message>
    <message>
        <source>Wrap-up notes</source>
        <translation>後処理メモ</translation>
    </message>
    <message>
        <source>Wrap-up problem</source>
        <translation>後処理の不備</translation>
    </message>
    <message>
        <source>Finish wrap-up and go ready</source>
        <translation>後処理を完了して受付可にする</translation>
    </message>
    <message>
        <source>Finish wrap-up and go not ready</source>
        <translation>後処理を完了して受付停止にする</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <source>Sign in to the center</source>
        <translation>センターにサインイン</translation>
    </message>
    <message>
        <source>Sign in with the agent ID and password the center gave you.</source>
        <translation>センターから発行されたエージェントIDとパスワードでサインインしてください。</translation>
    </message>
    <message>
        <source>&amp;Agent ID</source>
        <translation>エージェントID(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Password</source>
        <translation>パスワード(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Remember the password in the system keyring</source>
        <translation>パスワードをシステムのキーリングに保存する(&amp;R)</translation>
    </message>
    <message>
        <source>Agent ID</source>
        <translation>エージェントID</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>パスワード</translation>
    </message>
    <message>
        <source>Enter your agent ID and password.</source>
        <translation>エージェントIDとパスワードを入力してください。</translation>
    </message>
</context>
</TS>
