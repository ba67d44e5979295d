<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP">
<context>
    <name>ScriptPanelController</name>
    <message>
        <source>Results for “%1” (%2)</source>
        <translation>「%1」の検索結果（%2件）</translation>
    </message>
    <message>
        <source>Nothing found</source>
        <translation>見つかりませんでした</translation>
    </message>
    <message>
        <source>Flow</source>
        <translation>フロー</translation>
    </message>
    <message>
        <source>Article</source>
        <translation>記事</translation>
    </message>
    <message>
        <source>Suggested for this call</source>
        <translation>この通話へのおすすめ</translation>
    </message>
    <message>
        <source>All flows</source>
        <translation>すべてのフロー</translation>
    </message>
    <message>
        <source>Phrase copied</source>
        <translation>フレーズをコピーしました</translation>
    </message>
    <message>
        <source>Where you are: %1</source>
        <translation>現在の位置: %1</translation>
    </message>
    <message>
        <source>Step %1 of %2</source>
        <translation>手順 %1 / 全 %2</translation>
    </message>
    <message>
        <source>%1 · end of the flow</source>
        <translation>%1 ・ フローの終わり</translation>
    </message>
    <message>
        <source>%1 · escalation point</source>
        <translation>%1 ・ エスカレーションポイント</translation>
    </message>
    <message>
        <source>Step: %1</source>
        <translation>手順: %1</translation>
    </message>
    <message>
        <source>Choice %1: %2</source>
        <translation>選択肢 %1: %2</translation>
    </message>
    <message>
        <source>Escalation reason: %1</source>
        <translation>エスカレーション理由: %1</translation>
    </message>
    <message>
        <source>Escalate to %1 (Ctrl+E)</source>
        <translation>%1へエスカレーション（Ctrl+E）</translation>
    </message>
    <message>
        <source>Escalation requested</source>
        <translation>エスカレーション依頼済み</translation>
    </message>
    <message>
        <source>Flow finished: %1</source>
        <translation>フロー終了: %1</translation>
    </message>
    <message>
        <source>the center (tier 2)</source>
        <translation>センター（二次対応）</translation>
    </message>
    <message>
        <source>the security team</source>
        <translation>セキュリティ担当</translation>
    </message>
    <message>
        <source>the billing team</source>
        <translation>料金担当</translation>
    </message>
    <message>
        <source>on-site support</source>
        <translation>訪問サポート</translation>
    </message>
    <message>
        <source>the supervisor</source>
        <translation>スーパーバイザー</translation>
    </message>
    <message>
        <source>resolved</source>
        <translation>解決</translation>
    </message>
    <message>
        <source>escalated</source>
        <translation>エスカレーション</translation>
    </message>
    <message>
        <source>callback</source>
        <translation>折り返し</translation>
    </message>
    <message>
        <source>continue with another flow</source>
        <translation>別のフローへ</translation>
    </message>
    <message>
        <source>Support script</source>
        <translation>応対スクリプト</translation>
    </message>
    <message>
        <source>Search flows and articles (Ctrl+F)</source>
        <translation>フローと記事を検索（Ctrl+F）</translation>
    </message>
    <message>
        <source>Search support scripts</source>
        <translation>応対スクリプトを検索</translation>
    </message>
    <message>
        <source>Flows and articles: press a number or Enter to open</source>
        <translation>フローと記事: 番号キーまたは Enter で開く</translation>
    </message>
    <message>
        <source>Say:</source>
        <translation>お客さまへの案内:</translation>
    </message>
    <message>
        <source>Phrases to say</source>
        <translation>案内するフレーズ</translation>
    </message>
    <message>
        <source>Copy phrase (Ctrl+Shift+C)</source>
        <translation>フレーズをコピー（Ctrl+Shift+C）</translation>
    </message>
    <message>
        <source>Copy the selected phrase</source>
        <translation>選択中のフレーズをコピー</translation>
    </message>
    <message>
        <source>What to check</source>
        <translation>確認すること</translation>
    </message>
    <message>
        <source>Note for the agent</source>
        <translation>スタッフ向けメモ</translation>
    </message>
    <message>
        <source>Reference articles:</source>
        <translation>参考記事:</translation>
    </message>
    <message>
        <source>Reference articles: press Enter to open</source>
        <translation>参考記事: Enter で開く</translation>
    </message>
    <message>
        <source>Escalate this call</source>
        <translation>この通話をエスカレーション</translation>
    </message>
    <message>
        <source>Escalation reason</source>
        <translation>エスカレーション理由</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>進み具合</translation>
    </message>
    <message>
        <source>The current step (arrow keys scroll)</source>
        <translation>現在の手順（矢印キーでスクロール）</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>結果</translation>
    </message>
    <message>
        <source>Back (Backspace)</source>
        <translation>戻る（Backspace）</translation>
    </message>
    <message>
        <source>Back to the previous step</source>
        <translation>前の手順に戻る</translation>
    </message>
    <message>
        <source>Restart (Ctrl+Shift+R)</source>
        <translation>最初から（Ctrl+Shift+R）</translation>
    </message>
    <message>
        <source>Restart the flow</source>
        <translation>フローを最初からやり直す</translation>
    </message>
    <message>
        <source>Other flows</source>
        <translation>ほかのフロー</translation>
    </message>
    <message>
        <source>Show other flows</source>
        <translation>ほかのフローを表示</translation>
    </message>
    <message>
        <source>Back to the flow (Esc)</source>
        <translation>フローに戻る（Esc）</translation>
    </message>
    <message>
        <source>Close the article</source>
        <translation>記事を閉じる</translation>
    </message>
    <message>
        <source>Article text</source>
        <translation>記事の本文</translation>
    </message>
    <message>
        <source>Script loading notices</source>
        <translation>スクリプト読み込みのお知らせ</translation>
    </message>
</context>
</TS>
