# Matchmaking: daily suggestions, likes, blocks and reports (handlers/match/suggest.py).

ms-card-head = 💞 今日推荐 { $count }/{ $limit }
ms-card-again = 💞 这一位你还没有回复：
ms-card-shared = 你们都有的：{ $value }
ms-card-tail = 点 ❤️ 只有你自己知道；双方都喜欢，机器人才会把彼此的联系方式告诉你们。

ms-btn-like = ❤️ 喜欢
ms-btn-skip = 👋 跳过
ms-btn-block = 🚫 屏蔽
ms-btn-report = ⚠️ 举报
ms-btn-back = { nav-return }
ms-btn-next = ➡️ 下一位
ms-btn-menu = 💞 交友菜单
ms-btn-create = ✏️ 填写资料
ms-btn-edit = ✏️ 修改资料
ms-btn-resume = ▶️ 恢复推荐
ms-btn-events = 🎉 联谊活动

ms-report-choose = 请选择举报原因
ms-reason-fake = 资料虚假
ms-reason-rude = 言语不当、骚扰
ms-reason-money = 借钱、要钱或推销
ms-reason-married = 已婚或有对象
ms-reason-other = 其他原因

ms-liked = ❤️ 已喜欢，只有你自己知道。
    如果对方也喜欢你，我们会同时告诉你们俩，并互相给出 Telegram 联系方式。
ms-skipped = 已跳过，以后不会再推荐这一位。
ms-blocked = 🚫 已屏蔽。你们以后不会再互相看到对方。
ms-reported = ⚠️ 谢谢你告诉我们。这份资料不会再推荐给你，红娘会尽快核实。对方不会知道是谁举报的。
ms-already-final = 你已经屏蔽或举报过这一位了。
ms-private-only = 婚恋交友只在和机器人的私聊里使用。

ms-limit = 今天的 { $limit } 位推荐已经看完了，明天再来看看吧。
ms-none-left = 暂时没有新的推荐。会员越来越多，过几天再来看看吧。
ms-no-profile = 先填写一份交友资料，红娘审核通过后就能收到每日推荐。
ms-pending = 你的资料正在等红娘审核，通过后就能收到每日推荐。
ms-changes = 红娘请你修改一下资料。改好再提交，审核通过后就能收到每日推荐。
ms-rejected = 你的资料没有通过审核，暂时收不到推荐。有疑问可以联系工会。
ms-hidden = 你的资料收到了几次举报，正在等红娘核实，这段时间暂停推荐。
ms-paused = 你已暂停推荐。恢复后才能看到推荐，别人也能重新看到你。
ms-matchmakers = 你的资料设为“只给红娘看”，所以不会收到每日推荐，红娘会帮你牵线。想收到推荐，可以修改资料，让已认证的会员也能看。
