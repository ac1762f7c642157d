## Union socials (联谊活动): staff create and manage them, verified members sign up (handlers/match/events.py)

me-when = { $month }月{ $day }日（{ $weekday ->
        [0] 周一
        [1] 周二
        [2] 周三
        [3] 周四
        [4] 周五
        [5] 周六
       *[6] 周日
    }）{ $time }
me-event-head =
    🎉 { $title }
    🕖 { $when }
    📍 { $place }

## Members

me-list-head = 💞 工会联谊活动（只对已认证的工会会员开放）
me-list-none = 近期还没有联谊活动。有新活动时，在这里就能看到并报名。
me-places-left = 还剩 { $left } 个名额
me-places-left-balanced = 还剩 { $left } 个名额（男女各半：男士还可报 { $men } 人，女士还可报 { $women } 人）
me-places-full = 名额已满，候补 { $waiting } 人（现在报名会进入候补名单）
me-deadline = 报名截止：{ $when }
me-deadline-passed = 报名已截止
me-mine-going = ✅ 你已报名
me-mine-waiting = ⏳ 你在候补名单第 { $position } 位
me-btn-join = 报名：{ $title }
me-btn-leave-title = 取消报名：{ $title }
me-btn-leave = 取消报名
me-btn-list = 📅 看全部联谊活动
me-btn-back = ↩️ 返回婚恋交友

me-ask-gender =
    { $event }
    这场活动男女名额各半。请选择你的性别：
me-joined =
    ✅ 报名成功！
    { $event }
    活动前一天会提醒你。来不了的话请提前取消，把名额让给候补的工友。
    工作人员的签到名单上会显示你的 Telegram 名字：{ $name }
me-joined-waiting =
    ⏳ 名额已满，你在候补名单第 { $position } 位。
    { $event }
    有人取消时按顺序递补，轮到你时会马上通知你。
    工作人员的名单上会显示你的 Telegram 名字：{ $name }
me-already-going = 你已经报名了这场活动。
me-already-waiting = 你已经在候补名单上了（第 { $position } 位）。
me-closed = 这场活动的报名已经截止了。
me-gone = 这场活动已经取消或已经开始，不能报名了。
me-not-signed-up = 你没有报名这场活动，不用取消。
me-left = 已取消报名：{ $title }。欢迎下次再来！
me-promoted =
    🎉 有人取消了报名，你从候补转为正式报名！
    { $event }
    来不了的话请点下面的按钮取消，把名额让给下一位。
me-event-cancelled =
    很抱歉，这场联谊活动取消了：
    { $event }
    你的报名不用再处理。期待下次活动见！
me-reminder =
    ⏰ 联谊活动提醒
    { $event }
    来不了的话，请点下面的按钮取消报名，把名额让给候补的工友。

me-forget-signups = 联谊活动的报名（候补名单已顺延）

## Staff: a new social

me-private-only = 请在和机器人的私聊里新建联谊活动。
me-new-intro = 新建联谊活动。随时可以点「取消」或发 /cancel 退出。
me-resume = 接着填写上次没建完的活动：
me-ask-title = 活动标题是什么？（不超过 { $limit } 个字，例如：金水区青年职工秋季联谊会）
me-ask-start =
    活动什么时候开始？请写日期和时间，例如：
    2026-12-05 19:00
    12月5日 19:00
    下周六晚上7点
    明天下午三点
me-ask-place = 活动地点在哪里？（不超过 { $limit } 个字，写清楚地址，方便大家找到）
me-ask-capacity = 一共有多少个名额？请写 { $min } 到 { $max } 之间的数字。
me-ask-balance = 要男女名额各半吗？选「是」的话，男士和女士最多各占一半名额。
me-ask-deadline = 报名截止到什么时候？请写日期和时间（不能晚于活动开始），或者点下面的按钮。
me-current = 现在填的是：{ $value }（要改就重新发一次）
me-use-buttons = 请点消息下面的按钮。
me-text-only = 这里请发文字。
me-bad-empty = 内容不能为空，请再发一次。
me-bad-too-long = 太长了，请控制在 { $limit } 个字以内。
me-bad-time = 没看懂这个时间。请照例子写，例如：2026-12-05 19:00、下周六晚上7点、明天下午三点
me-time-understood = 好的，时间是 { $year }年{ $when }。不对的话，点「上一步」重写。
me-bad-past = 这个时间已经过去了，请写一个以后的时间。
me-bad-after-start = 报名截止不能晚于活动开始的时间。
me-bad-capacity = 名额请写 { $min } 到 { $max } 之间的数字。
me-yes = 是
me-no = 否
me-btn-balanced = 是，男女各半
me-btn-not-balanced = 否，不限
me-btn-day-before = 活动前一天 { $when }
me-btn-back-step = { nav-back }
me-btn-drop = { nav-cancel }
me-btn-create = ✅ 创建活动
me-summary =
    请核对新活动：
    标题：{ $title }
    时间：{ $when }
    地点：{ $place }
    名额：{ $capacity } 人
    男女各半：{ $balance }
    报名截止：{ $deadline }
    没问题就点「创建活动」。
me-new-dropped = 已放弃新建活动，什么都没保存。
me-created = ✅ 联谊活动 #{ $id } 已创建，会员现在就能报名。下面是给会员看的通知，可以转发到工会群：
me-announce =
    💞 工会联谊活动
    { $event }
    名额：{ $capacity } 人{ $balance }
    报名截止：{ $deadline }
    报名方法：在工友机器人里点「💞 婚恋交友」→「联谊活动」。只对已认证的工会会员开放，名额满了可以候补。
me-announce-balanced = （男女各半）

## Staff: the list, export, cancel

me-staff-none = 近期没有联谊活动。新建活动请发 /match event
me-staff-head = 📅 近期联谊活动：
me-staff-number = 活动 #{ $id }
me-staff-counts = 已报名 { $going }/{ $capacity }，候补 { $waiting } 人
me-staff-balanced = （男 { $men } · 女 { $women }）
me-staff-footer = 新建活动：/match event · 导出名单：/match export 活动编号
me-btn-export = 📄 导出 #{ $id }
me-btn-cancel-event = ✖️ 取消 #{ $id }
me-export-usage = 导出报名名单请写活动编号，例如：/match export 3（编号见 /match events）
me-export-missing = 没有编号为 { $id } 的联谊活动。
me-export-caption = 「{ $title }」报名名单，共 { $rows } 人（含候补）。名单有会员的名字，请妥善保管，活动结束后删除。
me-csv-order = 序号
me-csv-status = 状态
me-csv-name = 名字
me-csv-gender = 性别
me-csv-at = 报名时间
me-status-going = 已报名
me-status-waiting = 候补
me-cancel-confirm =
    确定取消这场活动吗？
    { $event }
    已报名 { $going } 人、候补 { $waiting } 人都会收到取消通知。
me-btn-cancel-yes = 确定取消
me-btn-cancel-no = 不取消
me-cancel-done = 「{ $title }」已取消，已通知 { $told } 位报名的会员。
