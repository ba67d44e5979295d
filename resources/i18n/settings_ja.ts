<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP">
  <context>
    <name>SettingsDialog</name>
    <message>
      <source>Settings</source>
      <translation>設定</translation>
    </message>
    <message>
      <source>&amp;Account</source>
      <translation>アカウント(&amp;A)</translation>
    </message>
    <message>
      <source>&amp;Devices</source>
      <translation>デバイス(&amp;D)</translation>
    </message>
    <message>
      <source>&amp;Voice processing</source>
      <translation>音声処理(&amp;V)</translation>
    </message>
    <message>
      <source>&amp;General</source>
      <translation>全般(&amp;G)</translation>
    </message>
    <message>
      <source>&amp;Shortcuts</source>
      <translation>ショートカット(&amp;S)</translation>
    </message>
    <message>
      <source>Center &amp;URL (empty: practice center)</source>
      <translation>センターのURL（空欄: 練習用センター）(&amp;U)</translation>
    </message>
    <message>
      <source>Agent &amp;ID</source>
      <translation>エージェントID(&amp;I)</translation>
    </message>
    <message>
      <source>&amp;Microphone</source>
      <translation>マイク(&amp;M)</translation>
    </message>
    <message>
      <source>&amp;Language</source>
      <translation>表示言語(&amp;L)</translation>
    </message>
    <message>
      <source>Ready</source>
      <translation>受付可</translation>
    </message>
    <message>
      <source>Not ready</source>
      <translation>受付停止</translation>
    </message>
    <message>
      <source>Break</source>
      <translation>休憩</translation>
    </message>
    <message>
      <source>Start or end work</source>
      <translation>業務開始・終了</translation>
    </message>
    <message>
      <source>Hide advanced &amp;phone settings</source>
      <translation>電話の詳細設定を隠す(&amp;P)</translation>
    </message>
    <message>
      <source>Show advanced &amp;phone settings</source>
      <translation>電話の詳細設定を表示(&amp;P)</translation>
    </message>
    <message>
      <source>Press the new key combination, or Esc to keep the old one.</source>
      <translation>新しいキーの組み合わせを押してください。Esc で元のままにします。</translation>
    </message>
    <message>
      <source>Center pass&amp;word</source>
      <translation>センターのパスワード(&amp;W)</translation>
    </message>
    <message>
      <source>SIP user &amp;name</source>
      <translation>SIP ユーザー名(&amp;N)</translation>
    </message>
    <message>
      <source>&amp;Landline number</source>
      <translation>固定電話の番号(&amp;L)</translation>
    </message>
    <message>
      <source>SIP do&amp;main</source>
      <translation>SIP ドメイン(&amp;M)</translation>
    </message>
    <message>
      <source>Phone servers (&amp;registrars)</source>
      <translation>電話サーバー（レジストラ）(&amp;R)</translation>
    </message>
    <message>
      <source>Phone accoun&amp;t password</source>
      <translation>電話アカウントのパスワード(&amp;T)</translation>
    </message>
    <message>
      <source>Call device (&amp;headset)</source>
      <translation>通話用デバイス（ヘッドセット）(&amp;H)</translation>
    </message>
    <message>
      <source>Ri&amp;ng device</source>
      <translation>着信音のデバイス(&amp;N)</translation>
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
      <source>Hold</source>
      <translation>保留</translation>
    </message>
    <message>
      <source>Mute</source>
      <translation>ミュート</translation>
    </message>
    <message>
      <source>Escalate</source>
      <translation>エスカレーション</translation>
    </message>
    <message>
      <source>Raise hand</source>
      <translation>手上げ</translation>
    </message>
    <message>
      <source>Dial pad</source>
      <translation>ダイヤルパッド</translation>
    </message>
    <message>
      <source>Notes</source>
      <translation>メモ</translation>
    </message>
    <message>
      <source>Finish wrap-up</source>
      <translation>後処理の完了</translation>
    </message>
    <message>
      <source>Practice call</source>
      <translation>練習通話</translation>
    </message>
    <message>
      <source>Passwords are kept in the system keyring, never in a file. Leave a password field empty to keep the saved one.</source>
      <translation>パスワードはシステムのキーリングに保存され、ファイルには書き込まれません。保存済みのパスワードを変えない場合は空欄のままにしてください。</translation>
    </message>
    <message>
      <source>Advanced phone settings</source>
      <translation>電話の詳細設定</translation>
    </message>
    <message>
      <source>Your phone account. The center fills these in when you sign in: change them only when support asks you to. The phone servers (registrars) are the center's addresses your phone signs in to, one per line, such as sip:sip1.example.jp:5060; the first that answers is used.</source>
      <translation>電話のアカウントです。サインインするとセンターが自動で設定します。サポートから指示があったときだけ変更してください。電話サーバー（レジストラ）は、電話が接続するセンターのアドレスです。1 行に 1 つ、sip:sip1.example.jp:5060 のように入力します。応答した最初のサーバーが使われます。</translation>
    </message>
    <message>
      <source>System default (%1)</source>
      <translation>システムの既定（%1）</translation>
    </message>
    <message>
      <source>System default</source>
      <translation>システムの既定</translation>
    </message>
    <message>
      <source>%1 (system default)</source>
      <translation>%1（システムの既定）</translation>
    </message>
    <message>
      <source>Ring on the headset &amp;too</source>
      <translation>ヘッドセットでも着信音を鳴らす(&amp;T)</translation>
    </message>
    <message>
      <source>Use the headset's call &amp;buttons (answer, hang up, mute)</source>
      <translation>ヘッドセットの通話ボタン（応答・終了・ミュート）を使う(&amp;B)</translation>
    </message>
    <message>
      <source>Take calls on my landline (&amp;fixed-line mode: the center calls it)</source>
      <translation>固定電話で受ける(&amp;F)（固定電話モード: センターがこの番号に電話します）</translation>
    </message>
    <message>
      <source>Fixed-line mode</source>
      <translation>固定電話モード</translation>
    </message>
    <message>
      <source>Play a t&amp;est tone</source>
      <translation>テスト音を鳴らす(&amp;E)</translation>
    </message>
    <message>
      <source>These clean up your voice before the customer hears it. Leave them on unless support asks you to change them.</source>
      <translation>お客さまに届く前にあなたの声を聞き取りやすくします。サポートから指示がない限り、オンのままにしてください。</translation>
    </message>
    <message>
      <source>&amp;Echo cancellation (the customer does not hear themselves)</source>
      <translation>エコー除去（お客さまに自分の声が返らないようにする）(&amp;E)</translation>
    </message>
    <message>
      <source>&amp;Noise suppression (room noise is filtered out)</source>
      <translation>ノイズ抑制（部屋の雑音を取り除く）(&amp;N)</translation>
    </message>
    <message>
      <source>Automatic &amp;loudness (gain) control</source>
      <translation>音量の自動調整（ゲイン制御）(&amp;L)</translation>
    </message>
    <message>
      <source>Start AgentDesk &amp;when the computer starts</source>
      <translation>PC の起動時に AgentDesk を開始(&amp;W)</translation>
    </message>
    <message>
      <source>Select a shortcut and press Enter, then press the new keys. Esc cancels, Backspace removes the shortcut. A shortcut needs Ctrl or a function key (F1-F12).</source>
      <translation>ショートカットを選んで Enter を押し、新しいキーを押してください。Esc で取り消し、Backspace でショートカットなしにします。ショートカットには Ctrl かファンクションキー（F1〜F12）が必要です。</translation>
    </message>
    <message>
      <source>&amp;Restore the default shortcuts</source>
      <translation>ショートカットを初期設定に戻す(&amp;R)</translation>
    </message>
    <message>
      <source>Each phone server (registrar) must be a SIP address (sip:host:port).</source>
      <translation>電話サーバー（レジストラ）はそれぞれ SIP アドレス（sip:ホスト:ポート）で入力してください。</translation>
    </message>
    <message>
      <source>Microphone &amp;level</source>
      <translation>マイクの音量(&amp;L)</translation>
    </message>
    <message>
      <source>Microphone level</source>
      <translation>マイクの音量</translation>
    </message>
    <message>
      <source>The microphone could not be opened.</source>
      <translation>マイクを開けませんでした。</translation>
    </message>
    <message>
      <source>Two actions have the same shortcut.</source>
      <translation>同じショートカットが2つの操作に割り当てられています。</translation>
    </message>
    <message>
      <source>The center URL must start with https://.</source>
      <translation>センターのURLは https:// で始めてください。</translation>
    </message>
    <message>
      <source>Saving the passwords in the system keyring…</source>
      <translation>パスワードをシステムのキーリングに保存しています…</translation>
    </message>
    <message>
      <source>The system keyring did not take the passwords; nothing was saved.</source>
      <translation>システムのキーリングがパスワードを受け付けませんでした。何も保存されていません。</translation>
    </message>
    <message>
      <source>Could not change the start-up setting: %1</source>
      <translation>起動時の設定を変更できませんでした: %1</translation>
    </message>
  </context>
  <context>
    <name>ShortcutEdit</name>
    <message>
      <source>Press the new keys... (Esc: cancel, Backspace: none)</source>
      <translation>新しいキーを押してください…（Esc: 取り消し、Backspace: なし）</translation>
    </message>
    <message>
      <source>(none)</source>
      <translation>（なし）</translation>
    </message>
    <message>
      <source>Press Enter to change this shortcut</source>
      <translation>Enter を押すとこのショートカットを変更できます</translation>
    </message>
  </context>
  <context>
    <name>ShortcutRules</name>
    <message>
      <source>quit AgentDesk</source>
      <translation>AgentDesk の終了</translation>
    </message>
    <message>
      <source>close the window</source>
      <translation>ウィンドウを閉じる操作</translation>
    </message>
    <message>
      <source>the self-check</source>
      <translation>環境セルフチェック</translation>
    </message>
    <message>
      <source>availability entry</source>
      <translation>事前エントリー</translation>
    </message>
    <message>
      <source>the work log</source>
      <translation>稼働記録</translation>
    </message>
    <message>
      <source>trainer mode</source>
      <translation>トレーナーモード</translation>
    </message>
    <message>
      <source>searching the support scripts</source>
      <translation>応対スクリプトの検索</translation>
    </message>
    <message>
      <source>escalating from the support script</source>
      <translation>応対スクリプトからのエスカレーション</translation>
    </message>
    <message>
      <source>copying the script's phrase</source>
      <translation>スクリプトのフレーズのコピー</translation>
    </message>
    <message>
      <source>restarting the support script</source>
      <translation>応対スクリプトのやり直し</translation>
    </message>
    <message>
      <source>going back in the support script</source>
      <translation>応対スクリプトで戻る操作</translation>
    </message>
    <message>
      <source>copy</source>
      <translation>コピー</translation>
    </message>
    <message>
      <source>paste</source>
      <translation>貼り付け</translation>
    </message>
    <message>
      <source>cut</source>
      <translation>切り取り</translation>
    </message>
    <message>
      <source>select all</source>
      <translation>すべて選択</translation>
    </message>
    <message>
      <source>undo</source>
      <translation>元に戻す</translation>
    </message>
    <message>
      <source>redo</source>
      <translation>やり直し</translation>
    </message>
    <message>
      <source>switching tabs</source>
      <translation>タブの切り替え</translation>
    </message>
    <message>
      <source>Use one key combination, not a sequence of keys.</source>
      <translation>キーの組み合わせを 1 つだけ使ってください（続けて押すキーは使えません）。</translation>
    </message>
    <message>
      <source>%1 keeps its own meaning (Esc closes, Enter confirms, Tab moves on).</source>
      <translation>%1 は本来の働きのために残します（Esc で閉じる、Enter で確定、Tab で移動）。</translation>
    </message>
    <message>
      <source>%1 is already used for %2.</source>
      <translation>%1 はすでに「%2」に使われています。</translation>
    </message>
    <message>
      <source>%1: Alt with a letter or digit opens menus and access keys; add Ctrl or use a function key.</source>
      <translation>%1: Alt と文字・数字の組み合わせはメニューとアクセスキーに使われます。Ctrl を加えるか、ファンクションキーを使ってください。</translation>
    </message>
    <message>
      <source>%1 alone would act while you type; add Ctrl or use a function key (F1-F12).</source>
      <translation>%1 だけでは入力中に働いてしまいます。Ctrl を加えるか、ファンクションキー（F1〜F12）を使ってください。</translation>
    </message>
  </context>
</TS>