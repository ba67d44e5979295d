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
      <source>Center &amp;password</source>
      <translation>センターのパスワード(&amp;P)</translation>
    </message>
    <message>
      <source>SIP &amp;user</source>
      <translation>SIP ユーザー(&amp;U)</translation>
    </message>
    <message>
      <source>SIP &amp;domain</source>
      <translation>SIP ドメイン(&amp;D)</translation>
    </message>
    <message>
      <source>&amp;Registrars (one per line)</source>
      <translation>レジストラ（1行に1つ）(&amp;R)</translation>
    </message>
    <message>
      <source>SIP pass&amp;word</source>
      <translation>SIP パスワード(&amp;W)</translation>
    </message>
    <message>
      <source>&amp;Call device</source>
      <translation>通話デバイス(&amp;C)</translation>
    </message>
    <message>
      <source>&amp;Ring device</source>
      <translation>着信音デバイス(&amp;R)</translation>
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
      <source>Passwords are kept in the system keyring, never in a file. Leave a password field empty to keep the saved one.</source>
      <translation>パスワードはシステムのキーリングに保存され、ファイルには書き込まれません。保存済みのパスワードを変えない場合は空欄のままにしてください。</translation>
    </message>
    <message>
      <source>System default</source>
      <translation>システムの既定</translation>
    </message>
    <message>
      <source>Ring on the &amp;headset too</source>
      <translation>ヘッドセットでも着信音を鳴らす(&amp;H)</translation>
    </message>
    <message>
      <source>Play a &amp;test tone</source>
      <translation>テスト音を鳴らす(&amp;T)</translation>
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
      <source>&amp;Echo cancellation</source>
      <translation>エコーキャンセル(&amp;E)</translation>
    </message>
    <message>
      <source>&amp;Noise suppression</source>
      <translation>ノイズ抑制(&amp;N)</translation>
    </message>
    <message>
      <source>Automatic &amp;gain control</source>
      <translation>自動音量調整(&amp;G)</translation>
    </message>
    <message>
      <source>&amp;Start AgentDesk with the system</source>
      <translation>システムの起動時に AgentDesk を起動する(&amp;S)</translation>
    </message>
    <message>
      <source>Restore &amp;default shortcuts</source>
      <translation>ショートカットを初期設定に戻す(&amp;D)</translation>
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
      <source>Each registrar must be a SIP URI (sip:host:port).</source>
      <translation>レジストラは SIP URI（sip:ホスト:ポート）で入力してください。</translation>
    </message>
    <message>
      <source>Could not change the start-up setting: %1</source>
      <translation>起動時の設定を変更できませんでした: %1</translation>
    </message>
  </context>
</TS>