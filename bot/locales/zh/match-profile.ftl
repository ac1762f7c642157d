## 婚恋交友（会员这一边）：须知和同意、菜单、填写资料、暂停和删除

mp-private-only = 婚恋交友请私聊我：点我的头像，发 /match。

mp-consent =
    💞 工会婚恋交友 · 使用须知

    这是工会为单身会员办的婚恋交友服务。每一份资料都由工会的志愿红娘审核，审核通过后才会被推荐。

    谁能看到什么：
    · 红娘能看到你的资料，用来审核和帮你牵线；
    · 只有你选了“红娘和已认证的会员都能看”，并且资料审核通过，其他已认证的会员才能看到；
    · 资料里不写姓名和联系方式。只有你们双方都点了“喜欢”（或者都同意红娘的介绍），机器人才会把彼此的 Telegram 联系方式发给对方。

    随时可以暂停或删除：发 /match 打开菜单，点“暂停”或“删除我的资料”；发 /forget 会删除你在机器人里的全部资料。

    只有年满 18 周岁的单身会员才能参加。

    交友守则：
    · 资料真实，本人单身；
    · 尊重对方，不骚扰、不纠缠；
    · 不借钱、不要钱，不做广告和推销；
    · 不把别人的资料、照片转给别人；
    · 遇到不当行为请举报，红娘会处理。

    须知版本：{ $version }
mp-btn-agree = ✅ 我已满 18 岁，同意
mp-btn-not-now = 先不了
mp-consent-needed = 填写资料之前，请先看完使用须知并点“同意”。
mp-consent-saved = 谢谢！你已同意使用须知。
mp-consent-later = 没关系。想参加的时候，随时发 /match。

mp-menu-title = 💞 婚恋交友
mp-status-none = 你还没有交友资料。点“填写我的资料”开始，大约需要 5 分钟。
mp-status-draft = 你有一份资料填到一半，点“继续填写”接着填。
mp-status-pending = 你的资料正在等红娘审核，审核通过后才会推荐给别人。
mp-status-approved = ✅ 你的资料已通过审核，正在推荐中。
mp-status-changes =
    ✏️ 红娘请你修改资料后再提交：
    { $note }
mp-status-rejected =
    很抱歉，你的资料没有通过审核：
    { $note }
    有疑问可以联系工会。
mp-status-paused = ⏸ 你的资料已暂停：现在不推荐给别人，你也收不到推荐。点“恢复”继续。
mp-status-also-paused = ⏸ 你的资料已暂停，审核通过后也不会推荐，点“恢复”继续。
mp-status-hidden = 有会员举报了你的资料，红娘核实之前暂时不推荐。
mp-btn-create = 📝 填写我的资料
mp-btn-continue = 📝 继续填写
mp-btn-edit = ✏️ 修改我的资料
mp-btn-view = 👀 看看我的资料
mp-btn-suggestions = 💌 今天的推荐
mp-btn-events = 🎉 联谊活动
mp-btn-pause = ⏸ 暂停
mp-btn-resume = ▶️ 恢复
mp-btn-delete = 🗑 删除我的资料
mp-no-profile = 你还没有交友资料。
mp-paused = 已暂停。你的资料不会再推荐给别人，你也收不到推荐。随时可以点“恢复”。
mp-resumed = 已恢复，你的资料会继续推荐。
mp-unchanged = 没有变化。

mp-view-head = 这是你的资料（别人看到的样子，不含姓名和联系方式）：
mp-view-photo = 你的照片
mp-view-visibility = 谁能看到：{ $value }

mp-intro = 好，我们一步步填写你的交友资料。每一步都可以点“上一步”修改，随时发 /cancel 退出。资料里请不要写电话、微信等联系方式。
mp-resume = 你上次填到一半的资料还在，我们接着填。
mp-edit-intro = 这是你现在的资料。想改哪一项，点“修改某一项”；改好后点“提交审核”。提交后要等红娘重新审核，通过之前暂时不推荐。

mp-ask-gender = 你的性别？
mp-ask-birth-year = 你是哪一年出生的？请写 4 位数字，比如 1995。
mp-ask-district = 你住在{ $city }哪个区？
mp-ask-education = 你的学历？
mp-ask-occupation = 你做什么工作？比如“快递员”“电子厂普工”“护士”（最多 { $limit } 个字）。
mp-ask-height = 你的身高是多少厘米？比如 168。不想写可以跳过。
mp-ask-intro = 简单介绍一下自己：性格、平时做什么、想过什么样的日子（{ $min } 到 { $limit } 个字）。请不要写联系方式。
mp-ask-want-gender = 你想认识男士还是女士？
mp-ask-want-age = 你希望对方多大年纪？请写两个数字，比如 25-35（{ $low } 到 { $high } 岁之间）。
mp-ask-want-districts = 希望对方住在哪些区？可以多选，选好点“选好了”；都可以就点“不限区域”。
mp-ask-want-other = 对另一半还有别的期望吗？比如“不抽烟”“愿意留在郑州”（最多 { $limit } 个字）。没有可以跳过。
mp-ask-interests = 选几个你的兴趣和看重的东西（1 到 { $limit } 个），选好点“选好了”。
mp-ask-photo = 要放一张照片吗？直接发一张照片过来（不要用“文件”发）。照片只在红娘审核后随资料给对方看。不想放可以跳过。
mp-ask-visibility = 你的资料给谁看？
mp-chosen = 已选 { $count } 个。
mp-current = 现在填的是：{ $value }

mp-field-gender = 性别
mp-field-birth-year = 出生年份
mp-field-district = 所在区
mp-field-education = 学历
mp-field-occupation = 职业
mp-field-height = 身高
mp-field-intro = 自我介绍
mp-field-want-gender = 想认识
mp-field-want-age = 对方年龄
mp-field-want-districts = 对方所在区
mp-field-want-other = 其他期望
mp-field-interests = 兴趣
mp-field-photo = 照片
mp-field-visibility = 谁能看到
mp-change-choose = 想改哪一项？

mp-bad-empty = 没有收到内容，请再写一下。
mp-bad-too-long = 有点长了，最多 { $limit } 个字，请简短一些。
mp-bad-too-short = 再多写几句吧，至少 { $limit } 个字。
mp-bad-year = 请只写 4 位数字的出生年份，比如 1995。
mp-bad-too-young = 婚恋交友只对年满 { $limit } 周岁的会员开放。如果写错了，请再写一次。
mp-bad-too-old = 这个年份好像不对（超过 { $limit } 岁了），请再看一下。
mp-bad-height = 请写身高的厘米数，比如 168（{ $low } 到 { $high } 之间）。
mp-bad-age-range = 请写两个数字表示年龄范围，比如 25-35。
mp-bad-age-bounds = 年龄要在 { $low } 到 { $high } 岁之间，比如 25-35。
mp-bad-age-order = 前面的数字要小一些，比如 25-35。
mp-bad-too-many = 最多选 { $limit } 个。想换的话，先点一个已选的取消。
mp-bad-too-few = 请至少选 { $limit } 个。
mp-use-buttons = 这一步请点下面的按钮。
mp-text-only = 这一步请打字回答。
mp-photo-send = 请直接发一张照片，或者点“跳过”。
mp-photo-only = 请用“照片”发送（不是文件、贴纸或视频）。不想放照片可以点“跳过”。
mp-photo-got = 📷 照片收到了。

mp-btn-skip = 跳过
mp-btn-no-photo = 不放照片
mp-btn-any-district = 不限区域
mp-btn-done = ✅ 选好了
mp-btn-back = { nav-back }
mp-btn-cancel = { nav-cancel }
mp-btn-submit = ✅ 提交审核
mp-btn-change = ✏️ 修改某一项
mp-btn-summary = ⬅️ 回到资料
mp-btn-menu = 💞 交友菜单
mp-summary-head = 请看一下你的资料（别人看到的就是这样，没有姓名和联系方式）：
mp-summary-photo-yes = 照片：有
mp-summary-photo-no = 照片：没有
mp-summary-hint = 没问题就点“提交审核”，红娘审核通过后才会推荐。
mp-cancelled = 好的，不填了，这次填的内容没有保存。想填的时候随时发 /match。
mp-submitted-new = ✅ 提交好了！红娘审核通过后，你就会开始收到推荐，我会在这里通知你。
mp-submitted-edit = ✅ 修改已提交。红娘重新审核之前，你的资料暂时不推荐；通过后我会通知你。

mp-delete-ask =
    确定删除你的交友资料吗？会一起删除：
    · 你的资料和照片；
    · 你的“喜欢”“跳过”记录，以及别人对你的；
    · 给你的推荐和把你推荐给别人的记录；
    · 你们互相喜欢的配对和红娘的介绍；
    · 别人对你、还没处理的举报。
    会员认证和联谊活动报名不会删除。删除后不能恢复，可以以后重新填写。
mp-btn-delete-yes = 确认删除
mp-btn-keep = 先不删
mp-deleted-head = 🗑 已删除：
mp-deleted-profile = · 你的交友资料
mp-deleted-profile-photo = · 你的交友资料和照片
mp-deleted-draft = · 填到一半的资料
mp-deleted-decisions = · “喜欢”“跳过”记录 { $count } 条
mp-deleted-suggestions = · 推荐记录 { $count } 条
mp-deleted-pairs = · 配对 { $count } 个
mp-deleted-intros = · 红娘介绍 { $count } 个
mp-deleted-reports = · 对你的举报 { $count } 条
mp-deleted-tail = 会员认证和联谊活动报名还在。想重新参加，随时发 /match。
mp-deleted-nothing = 没有要删除的交友资料。

mp-forget-item = 婚恋交友资料（资料、照片、喜欢和推荐记录、配对、介绍）
