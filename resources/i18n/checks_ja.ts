<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP">
  <context>
    <name>SelfCheckController</name>
    <message>
      <source>The self-check could not start: %1</source>
      <translation>セルフチェックを開始できませんでした: %1</translation>
    </message>
    <message>
      <source>Waiting</source>
      <translation>待機中</translation>
    </message>
    <message>
      <source>Cancelling...</source>
      <translation>中止しています…</translation>
    </message>
    <message>
      <source>Running... %1%</source>
      <translation>確認中… %1%</translation>
    </message>
    <message>
      <source>Overall result: %1</source>
      <translation>総合判定: %1</translation>
    </message>
    <message>
      <source>The check took %1 s (announced: about %2 s).</source>
      <translation>チェックにかかった時間: %1 秒（予定: 約 %2 秒）。</translation>
    </message>
    <message>
      <source>What to do:</source>
      <translation>対処方法:</translation>
    </message>
    <message>
      <source>Please confirm:</source>
      <translation>ご確認ください:</translation>
    </message>
    <message>
      <source>Save the self-check report</source>
      <translation>セルフチェック結果の保存</translation>
    </message>
    <message>
      <source>Web page (*.html)</source>
      <translation>Web ページ (*.html)</translation>
    </message>
    <message>
      <source>The report could not be saved: %1</source>
      <translation>結果を保存できませんでした: %1</translation>
    </message>
    <message>
      <source>Report saved: %1</source>
      <translation>結果を保存しました: %1</translation>
    </message>
  </context>
  <context>
    <name>SelfCheckView</name>
    <message>
      <source>AgentDesk self-check</source>
      <translation>AgentDesk セルフチェック</translation>
    </message>
    <message>
      <source>Environment self-check</source>
      <translation>在宅環境セルフチェック</translation>
    </message>
    <message>
      <source>Fixed-line &amp;number:</source>
      <translation>固定電話の番号(&amp;N):</translation>
    </message>
    <message>
      <source>e.g. 03-1234-5678</source>
      <translation>例: 03-1234-5678</translation>
    </message>
    <message>
      <source>Fixed-line number</source>
      <translation>固定電話の番号</translation>
    </message>
    <message>
      <source>The line must be wired to your work room. Cordless handsets and the services the center prohibits are not allowed.</source>
      <translation>回線は作業部屋まで配線されている必要があります。子機（コードレス電話）や、センターが禁止しているサービスは使えません。</translation>
    </message>
    <message>
      <source>I &amp;confirm that my line meets these conditions</source>
      <translation>回線がこの条件を満たしていることを確認しました(&amp;C)</translation>
    </message>
    <message>
      <source>Confirm the fixed line</source>
      <translation>固定電話回線の確認</translation>
    </message>
    <message>
      <source>&amp;Fiber connection:</source>
      <translation>光回線(&amp;F):</translation>
    </message>
    <message>
      <source>Fiber connection</source>
      <translation>光回線</translation>
    </message>
    <message>
      <source>Not answered</source>
      <translation>未回答</translation>
    </message>
    <message>
      <source>Yes, fiber (FTTH)</source>
      <translation>はい、光回線（FTTH）です</translation>
    </message>
    <message>
      <source>No</source>
      <translation>いいえ</translation>
    </message>
    <message>
      <source>&amp;Start the check</source>
      <translation>チェックを開始(&amp;S)</translation>
    </message>
    <message>
      <source>Start the check</source>
      <translation>チェックを開始</translation>
    </message>
    <message>
      <source>Check</source>
      <translation>確認項目</translation>
    </message>
    <message>
      <source>Status</source>
      <translation>状態</translation>
    </message>
    <message>
      <source>Progress of each check</source>
      <translation>各項目の進み具合</translation>
    </message>
    <message>
      <source>Overall progress</source>
      <translation>全体の進み具合</translation>
    </message>
    <message>
      <source>What to do now</source>
      <translation>いま行うこと</translation>
    </message>
    <message>
      <source>Microphone level:</source>
      <translation>マイクの音量:</translation>
    </message>
    <message>
      <source>Microphone level</source>
      <translation>マイクの音量</translation>
    </message>
    <message>
      <source>Network measurements over time:</source>
      <translation>通信の測定値の推移:</translation>
    </message>
    <message>
      <source>Chart of the network measurements</source>
      <translation>通信の測定値のグラフ</translation>
    </message>
    <message>
      <source>Round trip (probes)</source>
      <translation>往復時間（プローブ）</translation>
    </message>
    <message>
      <source>This check looks at your PC, your connection, your headset, your telephone line and the noise in your room, and tells you how to fix what does not meet the center's rules. It takes about %1 seconds. During the noise check, stay silent first, then read the sentence shown aloud.</source>
      <translation>PC、インターネット接続、ヘッドセット、電話回線、部屋の騒音を確認し、センターの基準を満たしていない点の直し方をお知らせします。所要時間は約 %1 秒です。騒音の確認では、まず静かにして、そのあと表示される文を声に出して読んでください。</translation>
    </message>
    <message>
      <source>Jitter (test call)</source>
      <translation>ゆらぎ（テスト通話）</translation>
    </message>
    <message>
      <source>&amp;Yes, I heard it</source>
      <translation>はい、聞こえた(&amp;Y)</translation>
    </message>
    <message>
      <source>&amp;No, nothing</source>
      <translation>いいえ、聞こえない(&amp;N)</translation>
    </message>
    <message>
      <source>Yes, I heard it</source>
      <translation>はい、聞こえた</translation>
    </message>
    <message>
      <source>No, I heard nothing</source>
      <translation>いいえ、何も聞こえない</translation>
    </message>
    <message>
      <source>Result</source>
      <translation>結果</translation>
    </message>
    <message>
      <source>Result of each check</source>
      <translation>各項目の結果</translation>
    </message>
    <message>
      <source>How long the check took</source>
      <translation>チェックにかかった時間</translation>
    </message>
    <message>
      <source>Where the report was saved</source>
      <translation>結果の保存先</translation>
    </message>
    <message>
      <source>C&amp;ancel</source>
      <translation>中止(&amp;A)</translation>
    </message>
    <message>
      <source>Cancel the check</source>
      <translation>チェックを中止</translation>
    </message>
    <message>
      <source>Overall result</source>
      <translation>総合判定</translation>
    </message>
    <message>
      <source>Results and remedies</source>
      <translation>結果と対処方法</translation>
    </message>
    <message>
      <source>&amp;Save report...</source>
      <translation>結果を保存(&amp;S)...</translation>
    </message>
    <message>
      <source>Save the report</source>
      <translation>結果を保存</translation>
    </message>
    <message>
      <source>&amp;Run again</source>
      <translation>もう一度実行(&amp;R)</translation>
    </message>
    <message>
      <source>Run the check again</source>
      <translation>チェックをもう一度実行</translation>
    </message>
    <message>
      <source>C&amp;lose</source>
      <translation>閉じる(&amp;L)</translation>
    </message>
    <message>
      <source>Close the self-check</source>
      <translation>セルフチェックを閉じる</translation>
    </message>
  </context>
</TS>