# Matchmaking: volunteer matchmakers' review, reports queue and introductions (handlers/match/review.py).

mr-usage =
    红娘可以用这些命令：
    /match review —— 审核新提交和修改过的资料
    /match reports —— 处理会员的举报
    /match intro 编号A 编号B 给双方的话 —— 介绍两位会员认识（给双方的话可以不写）
mr-private-only = 为了保护会员隐私，请在和机器人的私聊里使用红娘命令。

## The review queue

mr-review-empty = 现在没有等待审核的资料。
mr-review-head-new = 📝 新资料待审核（排队中共 { $waiting } 份）· 提交于 { $date }
mr-review-head-edited = 📝 修改后的资料待审核（排队中共 { $waiting } 份）· 修改于 { $date }
mr-review-visibility = 谁能看到：{ $value }
mr-photo-yes = 照片：有
mr-photo-no = 照片：没有
mr-review-hidden = ⚠️ 这份资料有待处理的举报，现在对会员隐藏着，也请看看 /match reports。
mr-btn-approve = ✅ 通过
mr-btn-changes = ✏️ 请会员修改
mr-btn-reject = ❌ 不通过
mr-btn-next = ➡️ 下一份
mr-btn-cancel = { nav-cancel }
mr-already = 这份资料已经处理过了（可能是别的红娘，或会员自己改了）。
mr-changed = 资料 { $number } 在你看过之后被会员修改了，请看最新的内容再决定：
mr-own = 这是你自己的资料，请留给其他红娘处理。
mr-approved = ✅ 资料 { $number } 已通过。
mr-changes-done = ✏️ 已请资料 { $number } 的会员修改。
mr-rejected-done = ❌ 资料 { $number } 没有通过。
mr-member-told = 已经通知会员。
mr-member-unreachable = 没能通知到会员（对方可能屏蔽了机器人），会员打开 /match 时会看到结果。
mr-member-held = 🌙 现在是夜间免打扰时段，会员会在 { $time } 收到通知。
mr-ask-changes = 请写一下资料 { $number } 需要修改什么（最多 { $limit } 字）。会员会看到这段话，请写得具体、客气一些。
mr-ask-reject = 请写一下资料 { $number } 没有通过的原因（最多 { $limit } 字）。会员会看到这段话，请客气一些。
mr-reason-too-long = 写得有点长了，最多 { $limit } 字，请改短一点再发。
mr-reason-text-only = 请直接打字写原因，或按“取消”。
mr-reason-cancelled = 好的，先不做决定，这份资料还在待审核队列里。

mr-member-approved = 🎉 你的婚恋交友资料审核通过了！发送 /match 就能看每天为你推荐的会员。
mr-member-changes =
    ✏️ 红娘看了你的婚恋交友资料，请你修改一下：
    { $reason }
    改好后重新提交，红娘会再看一遍。
mr-btn-edit = 修改我的资料
mr-member-edit-hint = 发送 /match 就能修改你的资料。
mr-member-rejected =
    很抱歉，你的婚恋交友资料这次没有通过审核。
    原因：{ $reason }
    如有疑问，可以向你所在单位的工会或工会服务站咨询。

## The reports queue

mr-reports-empty = 现在没有待处理的举报。
mr-reports-header = 🚩 有 { $profiles } 份资料收到了待处理的举报，举报多的在前，下面是前 { $shown } 份。举报人不会显示。
mr-report-head = 🚩 待处理的举报：{ $count } 次 · { $hidden }
mr-report-hidden-yes = 已因举报自动隐藏
mr-report-hidden-no = 没有隐藏
mr-report-reasons = 举报原因：{ $reasons }
mr-report-reason = { $reason } { $count } 次
mr-report-status = 资料状态：{ $status }
mr-reason-fake = 资料不实
mr-reason-rude = 言行不当
mr-reason-money = 借钱或推销
mr-reason-married = 已婚
mr-reason-other = 其他
mr-status-pending = 待审核
mr-status-approved = 已通过
mr-status-changes = 等会员修改
mr-status-rejected = 未通过
mr-status-paused = { $status }（会员已暂停）
mr-btn-keep = 👍 保留资料
mr-btn-suspend = ⛔ 停用资料
mr-reports-handled = 这份资料的举报已经处理过了。
mr-kept = 👍 已保留资料 { $number }，{ $count } 条举报已处理，资料不再因举报隐藏。
mr-suspended = ⛔ 已停用资料 { $number }，{ $count } 条举报已处理。
mr-suspended-note = 收到会员的举报，红娘查看后停用了这份资料。
mr-member-suspended =
    你的婚恋交友资料收到了会员的举报，红娘查看后暂时停用了它，其他会员现在看不到。
    如果想说明情况，可以向你所在单位的工会或工会服务站咨询。

## Introductions

mr-intro-usage =
    用法：/match intro 编号A 编号B 给双方的话
    资料编号写在资料卡片上；给双方的话可以不写。
mr-intro-missing = 找不到资料 { $number }。
mr-intro-same = 两个编号是同一份资料。
mr-intro-own = 不能介绍你自己，可以请其他红娘帮忙。
mr-intro-unavailable = 资料 { $number } 现在不能介绍：还没通过审核、会员暂停了，或者因举报被隐藏。
mr-intro-pair = 这两位会员已经交换过联系方式了。
mr-intro-open = 这两位会员之间已经有一个还没答复完的介绍。
mr-intro-blocked = 其中一位会员屏蔽或举报过对方，不能介绍。
mr-intro-note-long = 给双方的话最多 { $limit } 字，请改短一点。
mr-intro-note-contact = 给双方的话里不能写联系方式：双方都同意后，机器人会自动交换。请去掉后再发一次。
mr-intro-sent = 💞 介绍 { $intro } 已发给资料 { $a } 和资料 { $b } 的会员。双方都同意后会自动交换联系方式，结果会告诉你。
mr-intro-unreachable = 没能把介绍发给资料 { $number } 的会员（对方可能屏蔽了机器人），这个介绍已撤回。
mr-intro-invite = 💞 工会的红娘觉得你和这位会员可能合得来：
mr-intro-private-card = 这位会员的资料只给红娘看，所以这里不显示。
mr-intro-note = 红娘的话：{ $note }
mr-intro-how = 你们两位都愿意认识，机器人才会把对方的 Telegram 联系方式发给你们。如果不愿意，对方只会知道这次没成。
mr-btn-accept = ✅ 愿意认识
mr-btn-decline = 不了，谢谢
mr-intro-accepted-wait = 好的，记下你愿意认识了。等对方回复后告诉你。
mr-intro-declined-ok = 好的，记下了。对方只会知道这次没成。
mr-intro-not-this-time = 红娘介绍的那位会员，这次没有成。别灰心，缘分还在后面。
mr-intro-already-connected = 你们已经交换过联系方式了，直接聊就好。
mr-intro-closed = 这个介绍已经结束了。
mr-intro-answered = 你已经回复过了。
mr-intro-outcome-pair = 💞 介绍 { $intro }：双方都愿意，已经互相交换了联系方式。
mr-intro-outcome-no = 介绍 { $intro } 这次没有成。

## The volunteers' group

mr-pending-notice = 🆕 有一份婚恋交友资料（编号 { $number }）等红娘审核，现在共 { $waiting } 份在排队。红娘请私聊机器人发送 /match review。
mr-hidden-notice = 🚩 一份婚恋交友资料（编号 { $number }）收到 3 次以上举报，已暂时隐藏。红娘请私聊机器人发送 /match reports 处理。
