<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP">
  <context>
    <name>TraineeIndicator</name>
    <message>
      <source>Monitoring</source>
      <translation>モニタリング中</translation>
    </message>
    <message>
      <source>Whisper (only you hear the trainer)</source>
      <translation>ささやき（トレーナーの声はあなたにだけ聞こえます）</translation>
    </message>
    <message>
      <source>Barge-in (the customer hears the trainer)</source>
      <translation>三者通話（お客様にもトレーナーの声が聞こえます）</translation>
    </message>
    <message>
      <source>Training</source>
      <translation>トレーニング</translation>
    </message>
    <message>
      <source>Trainer %1 is on the line: %2</source>
      <translation>トレーナー %1 が参加中: %2</translation>
    </message>
    <message>
      <source>Hint: %1</source>
      <translation>ヒント: %1</translation>
    </message>
  </context>
  <context>
    <name>TraineeIndicatorView</name>
    <message>
      <source>Trainer on the line</source>
      <translation>トレーナー参加中</translation>
    </message>
    <message>
      <source>Training status</source>
      <translation>トレーニングの状態</translation>
    </message>
    <message>
      <source>Hint from the trainer</source>
      <translation>トレーナーからのヒント</translation>
    </message>
  </context>
  <context>
    <name>TrainerController</name>
    <message>
      <source>Choose a trainee's call and join it.</source>
      <translation>研修生の通話を選んで参加してください。</translation>
    </message>
    <message>
      <source>Enter a trainee's address such as agent1 or sip:agent1@center.example.jp.</source>
      <translation>研修生のアドレスを入力してください（例: agent1 または sip:agent1@center.example.jp）。</translation>
    </message>
    <message>
      <source>Could not read the score sheets: %1</source>
      <translation>採点表を読み込めませんでした: %1</translation>
    </message>
    <message>
      <source>OK</source>
      <translation>適切</translation>
    </message>
    <message>
      <source>Check</source>
      <translation>要確認</translation>
    </message>
    <message>
      <source>Practice call score sheets: none yet</source>
      <translation>練習通話の採点表: まだありません</translation>
    </message>
    <message>
      <source>Practice call score sheets (%1)</source>
      <translation>練習通話の採点表（%1 件）</translation>
    </message>
    <message>
      <source>Select a trainee's call first.</source>
      <translation>先に研修生の通話を選んでください。</translation>
    </message>
    <message>
      <source>Leave the current call before joining another.</source>
      <translation>別の通話に参加する前に、今の通話から退出してください。</translation>
    </message>
    <message>
      <source>Joining %1...</source>
      <translation>%1 の通話に参加しています...</translation>
    </message>
    <message>
      <source>Switching to %1...</source>
      <translation>%1 に切り替えています...</translation>
    </message>
    <message>
      <source>Join a call before sending a hint.</source>
      <translation>ヒントを送るには、先に通話に参加してください。</translation>
    </message>
    <message>
      <source>Hint sent: %1</source>
      <translation>ヒントを送りました: %1</translation>
    </message>
    <message>
      <source>monitor</source>
      <translation>モニター</translation>
    </message>
    <message>
      <source>whisper</source>
      <translation>ささやき</translation>
    </message>
    <message>
      <source>barge-in</source>
      <translation>三者通話</translation>
    </message>
    <message>
      <source>Joined in %1 mode.</source>
      <translation>%1 モードで参加しました。</translation>
    </message>
    <message>
      <source>Refused: you are not on this trainee's trainer list.</source>
      <translation>参加できません: この研修生のトレーナー一覧に登録されていません。</translation>
    </message>
    <message>
      <source>Refused: another trainer is already on this call.</source>
      <translation>参加できません: 別のトレーナーがすでに参加しています。</translation>
    </message>
    <message>
      <source>You left the call.</source>
      <translation>通話から退出しました。</translation>
    </message>
    <message>
      <source>Could not join (%1).</source>
      <translation>参加できませんでした（%1）。</translation>
    </message>
    <message>
      <source>Mode: %1</source>
      <translation>モード: %1</translation>
    </message>
    <message>
      <source>The trainee's phone did not take the change (%1).</source>
      <translation>研修生の電話が切り替えを受け付けませんでした（%1）。</translation>
    </message>
    <message>
      <source>The phone engine refused: %1</source>
      <translation>電話エンジンが受け付けませんでした: %1</translation>
    </message>
    <message>
      <source>Could not reach the phone engine: %1</source>
      <translation>電話エンジンに接続できません: %1</translation>
    </message>
  </context>
  <context>
    <name>TrainerView</name>
    <message>
      <source>AgentDesk - Trainer mode</source>
      <translation>AgentDesk - トレーナーモード</translation>
    </message>
    <message>
      <source>Trainees' live calls</source>
      <translation>研修生の通話中一覧</translation>
    </message>
    <message>
      <source>Trainee</source>
      <translation>研修生</translation>
    </message>
    <message>
      <source>Address</source>
      <translation>アドレス</translation>
    </message>
    <message>
      <source>Since</source>
      <translation>開始</translation>
    </message>
    <message>
      <source>&amp;Trainee's address:</source>
      <translation>研修生のアドレス(&amp;T):</translation>
    </message>
    <message>
      <source>e.g. sip:agent1@center.example.jp</source>
      <translation>例: sip:agent1@center.example.jp</translation>
    </message>
    <message>
      <source>Trainee's address</source>
      <translation>研修生のアドレス</translation>
    </message>
    <message>
      <source>Add</source>
      <translation>追加</translation>
    </message>
    <message>
      <source>Add the trainee to the list</source>
      <translation>研修生を一覧に追加</translation>
    </message>
    <message>
      <source>&amp;Monitor</source>
      <translation>モニター(&amp;M)</translation>
    </message>
    <message>
      <source>&amp;Whisper</source>
      <translation>ささやき(&amp;W)</translation>
    </message>
    <message>
      <source>&amp;Barge in</source>
      <translation>三者通話(&amp;B)</translation>
    </message>
    <message>
      <source>Listen: nobody hears you</source>
      <translation>聞くだけ: あなたの声は誰にも聞こえません</translation>
    </message>
    <message>
      <source>Only the trainee hears you</source>
      <translation>研修生にだけあなたの声が聞こえます</translation>
    </message>
    <message>
      <source>Three-way: the customer hears you too</source>
      <translation>三者通話: お客様にもあなたの声が聞こえます</translation>
    </message>
    <message>
      <source>&amp;Join the selected call</source>
      <translation>選んだ通話に参加(&amp;J)</translation>
    </message>
    <message>
      <source>Join the selected call</source>
      <translation>選んだ通話に参加</translation>
    </message>
    <message>
      <source>&amp;Leave</source>
      <translation>退出(&amp;L)</translation>
    </message>
    <message>
      <source>Leave the call</source>
      <translation>通話から退出</translation>
    </message>
    <message>
      <source>H&amp;int:</source>
      <translation>ヒント(&amp;I):</translation>
    </message>
    <message>
      <source>Hint for the trainee</source>
      <translation>研修生へのヒント</translation>
    </message>
    <message>
      <source>Send hint</source>
      <translation>ヒントを送信</translation>
    </message>
    <message>
      <source>Send the hint to the trainee's screen</source>
      <translation>ヒントを研修生の画面に送る</translation>
    </message>
    <message>
      <source>Training status</source>
      <translation>トレーニングの状態</translation>
    </message>
    <message>
      <source>Practice call score sheets</source>
      <translation>練習通話の採点表</translation>
    </message>
    <message>
      <source>&amp;Refresh</source>
      <translation>更新(&amp;R)</translation>
    </message>
    <message>
      <source>Refresh the score sheets</source>
      <translation>採点表を更新</translation>
    </message>
    <message>
      <source>Scored at</source>
      <translation>採点日時</translation>
    </message>
    <message>
      <source>Scenario</source>
      <translation>シナリオ</translation>
    </message>
    <message>
      <source>Answer (s)</source>
      <translation>応答（秒）</translation>
    </message>
    <message>
      <source>Longest silence (s)</source>
      <translation>最長の沈黙（秒）</translation>
    </message>
    <message>
      <source>Script match</source>
      <translation>手順一致率</translation>
    </message>
    <message>
      <source>Escalation</source>
      <translation>エスカレーション</translation>
    </message>
    <message>
      <source>Steps missed</source>
      <translation>抜けていた手順</translation>
    </message>
  </context>
</TS>