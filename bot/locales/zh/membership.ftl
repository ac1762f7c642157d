## 工友 — 会员认证和会员名册导入（bot/membership/roster.py、handlers/membership.py）。每个键在 en/membership.ftl 里都必须有对应的英文。

## 认证：会员卡号 + 姓名，再分享自己的手机号

mv-intro = 这项服务只对工会会员开放，先花一分钟认证一下：输入会员卡号和姓名，和工会名册核对；再用按钮分享你自己的手机号，确认是本人。
    我们只保存卡号和姓名算出来的一串加密“指纹”，不保存卡号原文，也不保存你的手机号。
mv-ask-card = 请输入你的工会会员卡号（会员证上的号码）：
mv-ask-name = 请输入这张会员卡登记的姓名：
mv-matched = ✅ 和名册对上了！
mv-ask-phone = 最后一步：请点输入框下方的“📱 分享我的手机号”按钮，确认这个 Telegram 账号是你本人的。手机号只用来确认，不会保存。
mv-resume = 接着刚才的会员认证：
mv-phone-keyboard = 👇 点这个按钮就行：
mv-btn-share = 📱 分享我的手机号
mv-btn-cancel = { nav-cancel }
mv-btn-back = ⬅️ 重新输入卡号
mv-verified = ✅ 认证成功！你已经是认证会员了。
mv-cancelled = 好的，会员认证已取消。需要时可以随时重新开始。
mv-no-match = 卡号和姓名没有和名册对上，请检查一下再试。今天还可以试 { $left } 次。
mv-no-match-last = 卡号和姓名没有和名册对上。
mv-name-latin = 小提示：你输入的是拼音或英文字母。如果会员卡上的姓名是汉字，请照着会员卡上写的用汉字输入，不要用拼音。
mv-limit = 今天的认证次数已经用完了，请明天再试。如果确认卡号和姓名都没错，请联系你所在的工会或工会办公室核对名册。
mv-card-in-use = 这张会员卡已经绑定了另一个 Telegram 账号。如果需要换到这个账号，请联系工会办公室处理。
mv-bad-too-long = 太长了，最多 { $limit } 个字。
mv-bad-card-empty = 没有读到卡号，请输入会员卡上的号码。
mv-bad-card-long = 卡号最多 { $limit } 位，请核对一下会员卡上的号码。
mv-bad-name-empty = 没有读到姓名，请输入会员卡登记的姓名。
mv-phone-typed = 不用打字输入手机号，请点输入框下方的“📱 分享我的手机号”按钮，这样才能确认是你本人的账号。
mv-phone-other = 这是别人的联系人。请点“📱 分享我的手机号”按钮，分享你自己的手机号。
mv-hint-card = 现在需要打字输入会员卡号。
mv-hint-name = 现在需要打字输入姓名。
mv-hint-phone = 现在需要点“📱 分享我的手机号”按钮，分享你自己的手机号。
mv-private-only = 会员认证要在和我的私聊里进行，请点我的头像，私聊发消息给我。
mv-forget-verification = 你的会员认证（和会员卡指纹的绑定）
mv-forget-attempts = 你的会员认证尝试记录

## 会员名册导入（gongyou import members）

mv-import-summary = 会员名册导入完成：读了 { $rows } 行，新增 { $added } 人，已在名册 { $existing } 人，拒绝 { $rejected } 行。
mv-import-summary-dry-run = 试运行，没有保存任何改动：读了 { $rows } 行，将新增 { $added } 人，已在名册 { $existing } 人，拒绝 { $rejected } 行。
mv-import-replaced = 名册已按文件替换：移出 { $removed } 人，撤销了 { $revoked } 个会员卡已不在名册上的认证。
mv-import-replaced-dry-run = 按文件替换名册时，将移出 { $removed } 人，撤销 { $revoked } 个会员卡已不在名册上的认证。
mv-import-rejected-heading = 被拒绝的行（{ $count }）：
mv-import-line = 第 { $line } 行：{ $reason }
mv-import-more = …… 还有 { $count } 行
mv-import-refused = 会员名册没有导入：{ $reason }
mv-demo-key-warning = 注意：没有设置 GONGYOU_MEMBER_KEY，现在用的是公开的演示密钥，只适合演示数据。导入真实名册前，请先设置一个保密的密钥；以后更换密钥，已导入的名册和已有认证都会对不上，需要重新导入。

mv-row-missing-card = 缺少会员卡号
mv-row-missing-name = 缺少姓名
mv-row-card-too-long = 会员卡号超过 { $limit } 位
mv-row-name-too-long = 姓名超过 { $limit } 个字
mv-row-duplicate = 会员卡号和第 { $first } 行重复

mv-file-empty = 文件是空的，没有任何会员。
mv-file-too-large = 文件太大（{ $detail }），最多 50 MB。请分成几个文件导入。
mv-file-too-many-rows = 文件里的行太多，最多 { $detail } 行。请分成几个文件导入。
mv-file-encoding = 文件的文字编码无法识别。请另存为 Excel（.xlsx）或 UTF-8 编码的 CSV 文件。
mv-file-binary = 这不是表格文件。请用 Excel（.xlsx）或 CSV 文件。
mv-file-old-excel = 这是旧版 Excel（.xls）文件。请在 Excel 里“另存为”.xlsx 或 CSV 后再导入。
mv-file-bad-xlsx = 这个 Excel 文件打不开，可能已损坏。请重新保存后再导入。
mv-file-no-header = 找不到表头：需要一列会员卡号（“会员卡号”“会员证号”“卡号”或 card number）和一列姓名（“姓名”“名字”或 name）。
mv-file-no-rows = 文件里没有一行可用的会员，按文件替换会清空整个名册，所以没有导入。
mv-file-unreadable = 无法读取文件：{ $detail }
