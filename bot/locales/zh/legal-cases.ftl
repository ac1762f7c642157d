## Legal cases: the volunteers' group, the relay, follow-up, the worker's case list and rating

## What volunteers and staff see

lc-topic-name = { $number } { $category }
lc-topic-name-urgent = { $number } { $category } 🔴
lc-announce-header = 🆕 新的法律援助案件，等待志愿律师认领
lc-announce-hint-topic = 认领后直接在本话题里发消息，就会转给工友（以案件编号的名义）；以 // 开头的消息只留在群里。
lc-announce-hint-thread = 认领后回复本条消息（或本案的其他消息），就会转给工友（以案件编号的名义）；以 // 开头的消息只留在群里。
lc-evidence-caption = { $number } · 证据 { $index }/{ $total }

lc-age-minutes = { $n } 分钟
lc-age-hours = { $n } 小时
lc-age-days = { $days } 天 { $hours } 小时

lc-not-member = 你不在志愿律师群里，不能处理案件。请联系工会工作人员把你加进群。
lc-list-header = 待处理的案件（紧急的在前，其次是等得最久的）：
lc-list-line = { $number } · { $category } · 已等 { $age } · { $status }
lc-list-line-urgent = 🔴 { $number } · { $category } · 已等 { $age } · { $status }
lc-list-you = （你在处理）
lc-list-other = （其他志愿律师在处理）
lc-list-empty = 现在没有待处理的案件。
lc-case-usage = 用法：/case 案件编号，例如 /case L0012
lc-case-unknown = 没有找到案件 { $ref }。

lc-view-status = 状态：{ $status }
lc-view-claimer-you = 处理人：你
lc-view-claimer-other = 处理人：其他志愿律师
lc-view-age = 提交于 { $age }前
lc-view-escalated = 已上报工会工作人员
lc-view-outcome = 结果：{ $outcome }
lc-view-rating = 工友评分：{ $rating } / 5
lc-view-additions = 工友的补充：
lc-view-addition = · { $text }

lc-btn-claim = ✋ 认领
lc-btn-release = ↩️ 放弃
lc-btn-ask = ❓ 问工友
lc-btn-close = ☑️ 结案
lc-btn-name-on = 👤 对工友显示我的名字：开
lc-btn-name-off = 👤 对工友显示我的名字：关
lc-btn-evidence = 📎 证据（{ $count }）
lc-btn-draft = 📝 写成问答草稿
lc-btn-list = 📋 案件列表
lc-btn-open = { $number } { $category }
lc-btn-view = 查看案件 { $number }
lc-btn-answer = ↩️ 回复工友

lc-claimed = 你认领了案件 { $number }。
lc-claim-taken = 这个案件已经有其他志愿律师认领了。
lc-claim-yours = 这个案件已经由你处理。
lc-case-closed = 这个案件已经结案了。
lc-note-claimed = ✋ { $name } 认领了此案。
lc-note-released = ↩️ { $name } 放弃了此案，案件重新等待认领。
lc-note-released-left = ↩️ 认领此案的志愿律师已退出服务，案件重新等待认领。
lc-note-released-role = ↩️ 认领此案的志愿律师已不再担任该角色，案件重新等待认领。
lc-note-closed = ☑️ 已结案：{ $outcome }（{ $name }）
lc-note-withdrawn = ✖️ 工友撤回了此案。
lc-note-retracted = ↩️ 工友撤回了上面这条消息：它不是写给律师的。
lc-withdrawn-private = ✖️ 工友撤回了案件 { $number }。
lc-someone = 一位志愿律师
lc-released = 已放弃案件 { $number }，它会重新等待认领。
lc-release-not-yours = 只有认领这个案件的志愿律师可以放弃它。
lc-release-ask = 确定放弃案件 { $number } 吗？放弃后它会重新等待认领。
lc-btn-release-yes = ↩️ 确定放弃 { $number }
lc-btn-keep = 取消
lc-kept = 好的，案件没有变化。
lc-close-choose = 案件 { $number } 怎么结案？
lc-close-not-yours = 这个案件由其他志愿律师处理，只有认领人可以结案。
lc-close-ask =
    确定结案吗？
    案件 { $number } 的结果：{ $outcome }。结案后会通知工友，并请工友打分。
lc-btn-close-yes = ☑️ 确定结案
lc-close-kept = 好的，案件 { $number } 没有结案。
lc-closed-done = 案件 { $number } 已结案：{ $outcome }。工友会收到通知，并被请求打分。
lc-name-shown = 转给工友的消息会带上你的名字。
lc-name-hidden = 转给工友的消息不再带你的名字。
lc-name-not-yours = 只有认领人可以设置这一项。
lc-evidence-none = 这个案件没有证据文件。

lc-ask-claim-first = 请先认领这个案件，再给工友发消息。
lc-ask-in-topic = 直接在这个话题里发消息，就会转给工友；以 // 开头的消息只留在群里。
lc-ask-reply-root = 回复这个案件的消息，就会转给工友；以 // 开头的消息只留在群里。
lc-ask-prompt = 请发送要转给工友的内容（案件 { $number }）：一条文字、照片或文件。发 /cancel 取消。
lc-relay-sent = ✅ 已转给工友。
lc-relay-sent-once = ✅ 已转给工友（案件 { $number }）。要再发一条，请再点「问工友」。
lc-relay-closed = 案件已经结案，消息没有转给工友。
lc-relay-gone = 工友已经删除了自己的资料，消息无法转达。
lc-relay-blocked = 消息没能送到：工友可能屏蔽了机器人。
lc-relay-failed = 消息没能送到，请稍后再试。
lc-relay-unsupported = 只能转交文字、照片和文件。
lc-hint-claim = 提示：只有认领案件的志愿律师发的消息才会转给工友，请先认领。以 // 开头的消息只留在群里。
lc-from-worker = 👷 工友（案件 { $number }）：

lc-reminder = ⏰ 案件 { $number }（{ $category }）还没有人认领，已经等了 { $age }。
lc-reminder-urgent = ⏰🔴 紧急案件 { $number }（{ $category }）还没有人认领，已经等了 { $age }，期限临近或可能已过。
lc-escalation = 🚨 案件 { $number }（{ $category }）已经等了 { $age }，还没有志愿律师认领。
lc-escalation-urgent = 🚨🔴 紧急案件 { $number }（{ $category }）已经等了 { $age }，还没有志愿律师认领，期限临近或可能已过。

## What the worker sees

lw-claimed = ✅ 你的案件 { $number } 已经有志愿律师接手了。律师有问题会通过机器人问你，直接回复那条消息就可以。发 /my_cases 可以查看你的案件。
lw-closed = ☑️ 你的案件 { $number } 已结案：{ $outcome }。
    这次的帮助对你有用吗？请打个分（1 到 5 颗星，5 颗星最好）：
lw-from-volunteer = 💬 志愿律师（案件 { $number }）：
lw-from-volunteer-named = 💬 志愿律师 { $name }（案件 { $number }）：
lw-btn-reply = ↩️ 回复律师
lw-reply-prompt = 请发送要给志愿律师的内容（案件 { $number }）：文字、照片或文件都可以。发 /cancel 取消。
lw-add-prompt = 请发送要补充到案件 { $number } 的内容：文字、照片（如工资条、合同、聊天记录）或文件都可以。发 /cancel 取消。
lw-delivered = ✅ 已转给志愿律师（案件 { $number }）。
lw-saved = 📎 已保存到你的案件 { $number }，志愿律师处理时会看到。
lw-btn-not-for-lawyer = ↩️ 不是给律师的
lw-retracted = ↩️ 已撤回，这条消息不会留在案件 { $number } 里。
lw-case-closed = 案件 { $number } 已经结案，不能再补充了。有新的问题请发 /legal 重新咨询。
lw-too-long = 内容太长了（最多 { $limit } 个字），请分几次发。
lw-unsupported = 只能转交文字、照片和文件。
lw-my-header = 你的法律援助案件：
lw-my-line = { $number } · { $category } · { $status } · { $date }
lw-my-none = 你还没有法律援助案件。有劳动方面的问题，可以发 /legal 咨询。
lw-btn-add = ➕ 补充 { $number }
lw-btn-withdraw = ✖️ 撤回 { $number }
lw-withdraw-ask = 确定要撤回案件 { $number } 吗？撤回后志愿律师就不再处理了。
lw-btn-withdraw-yes = 确定撤回
lw-btn-keep = 不撤回
lw-withdrawn = 案件 { $number } 已撤回。需要时可以随时重新咨询。
lw-kept = 好的，案件 { $number } 继续处理。
lw-rated = 谢谢你的评价（{ $rating } 颗星）！
lw-already-rated = 这个案件你已经打过分了，谢谢！

forget-item-legal = 你的法律援助案件和咨询记录（个人信息、证据和对话已删除，只留下不记名的统计：类别、日期、结果）
lc-note-asked = 💬 { $name } 在私聊里发给工友：
    { $text }
