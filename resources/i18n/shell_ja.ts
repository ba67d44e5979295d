<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP">
  <context>
    <name>EndWorkConfirmation</name>
    <message>
      <source>End work</source>
      <translation>業務終了</translation>
    </message>
    <message>
      <source>End work now?</source>
      <translation>業務を終了しますか？</translation>
    </message>
    <message>
      <source>You have worked %1 today.</source>
      <translation>今日の稼働は %1 です。</translation>
    </message>
    <message>
      <source>Calls handled today: %1.</source>
      <translation>今日の応対件数: %1 件。</translation>
    </message>
    <message>
      <source>The center will stop offering you calls, and your work session is closed.</source>
      <translation>センターからの着信が止まり、稼働記録のセッションが閉じられます。</translation>
    </message>
    <message>
      <source>&amp;End work</source>
      <translation>業務を終了(&amp;E)</translation>
    </message>
    <message>
      <source>End work now</source>
      <translation>業務を今すぐ終了</translation>
    </message>
    <message>
      <source>&amp;Keep working</source>
      <translation>業務を続ける(&amp;K)</translation>
    </message>
    <message>
      <source>Keep working</source>
      <translation>業務を続ける</translation>
    </message>
  </context>
  <context>
    <name>MainWindowController</name>
    <message>
      <source>Offline</source>
      <translation>オフライン</translation>
    </message>
    <message>
      <source>Phone: not set up</source>
      <translation>電話: 未設定</translation>
    </message>
    <message>
      <source>About AgentDesk</source>
      <translation>AgentDesk について</translation>
    </message>
    <message>
      <source>AgentDesk %1
The home agent's desktop.</source>
      <translation>AgentDesk %1
在宅エージェントのためのデスクトップ。</translation>
    </message>
    <message>
      <source>Quit AgentDesk</source>
      <translation>AgentDesk の終了</translation>
    </message>
  </context>
  <context>
    <name>MainWindowView</name>
    <message>
      <source>&amp;File</source>
      <translation>ファイル(&amp;F)</translation>
    </message>
    <message>
      <source>&amp;Quit</source>
      <translation>終了(&amp;Q)</translation>
    </message>
    <message>
      <source>&amp;View</source>
      <translation>表示(&amp;V)</translation>
    </message>
    <message>
      <source>&amp;Language</source>
      <translation>言語(&amp;L)</translation>
    </message>
    <message>
      <source>&amp;Tools</source>
      <translation>ツール(&amp;T)</translation>
    </message>
    <message>
      <source>Environment &amp;self-check...</source>
      <translation>環境セルフチェック(&amp;S)...</translation>
    </message>
    <message>
      <source>&amp;Availability entry...</source>
      <translation>事前エントリー(&amp;A)...</translation>
    </message>
    <message>
      <source>&amp;Work log...</source>
      <translation>稼働記録(&amp;W)...</translation>
    </message>
    <message>
      <source>T&amp;rainer mode...</source>
      <translation>トレーナーモード(&amp;R)...</translation>
    </message>
    <message>
      <source>&amp;Help</source>
      <translation>ヘルプ(&amp;H)</translation>
    </message>
    <message>
      <source>&amp;About AgentDesk</source>
      <translation>AgentDesk について(&amp;A)</translation>
    </message>
    <message>
      <source>Agent state</source>
      <translation>エージェントの状態</translation>
    </message>
    <message>
      <source>Phone status</source>
      <translation>電話の状態</translation>
    </message>
    <message>
      <source>Notices</source>
      <translation>お知らせ</translation>
    </message>
  </context>
  <context>
    <name>Tray</name>
    <message>
      <source>Show AgentDesk</source>
      <translation>AgentDesk を表示</translation>
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
      <source>Quit</source>
      <translation>終了</translation>
    </message>
  </context>
</TS>