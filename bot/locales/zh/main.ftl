## 工友 — 中文消息目录（默认语言）。每个键在 en.ftl 里都必须有对应的英文。

welcome = 你好，工友！我是工会的服务小助手。
    想做什么？点下面的按钮，或者直接打字告诉我，比如“找个日结的活”“老板拖欠工资”“附近有驿站吗”。
menu = 请选择服务：
help =
    我能帮你：
    💼 找工作：工会发布的岗位、按区县和地铁找活、新岗位提醒
    ⚖️ 法律帮助：欠薪、劳动合同、工伤、社保等问题的解答，需要时转给志愿律师
    💞 婚恋交友：工会会员的红娘服务和联谊活动
    🏠 工会驿站：附近可以歇脚、喝水、热饭、充电的地方
    🏛 工会服务：/union 金秋助学、困难帮扶、法律援助站、学历提升、入会等

    直接打字提问就行。常用命令：
    /menu 主菜单 · /cancel 退出当前步骤 · /lang 切换语言 · /help 帮助
    /mydata 我的数据 · /privacy 隐私说明 · /forget 删除我的数据
help-staff =
    工作人员：
    /stations stats 驿站统计
    /stations flagged 被工友反映的驿站
    /stations status <编号> <状态> 修改驿站状态
    直接发 CSV、JSON 或 GeoJSON 文件给我可以导入驿站（说明里写 gcj02、bd09 或 dry-run）
    /review_jobs 审核待发布的岗位
    /broadcast 群发岗位信息；/broadcast status 查看群发进度、暂停或取消
    直接发 Excel（.xlsx）或 CSV 岗位表给我可以导入岗位（说明里写 dry-run 只预览）
    /legal stats [天数] 法律帮助统计；/legal export 导出案件表（CSV，不含个人信息）
    /legal drafts 审核志愿律师提交的问答草稿；/cases、/case <编号> 查看案件
    /match event 新建联谊活动；/match events 近期活动；/match export <编号> 导出报名名单
    /panel 获取网页后台的登录链接（统计、角色、审计日志）
help-admin =
    管理员：
    /role add <用户ID> <角色> 授予角色
    /role remove <用户ID> <角色> 收回角色
    /role list 查看有角色的用户
cancel-done = 已退出当前步骤。还需要什么帮助？
cancel-nothing = 现在没有进行中的步骤。还需要什么帮助？
lang-choose = 请选择语言 / Choose a language:
lang-set = 好的，以后用中文和你说话。
role-refused = 抱歉，这个功能只对有相应权限的工作人员开放。
role-usage =
    用法：
    /role add <用户ID> <角色>
    /role remove <用户ID> <角色>
    /role list
    角色：{ $roles }
role-list = 有角色的用户：
    { $holders }
role-add-done = 已给用户 { $user } 授予角色 { $role }。
role-add-unchanged = 用户 { $user } 已经有角色 { $role }，没有变化。
role-remove-done = 已收回用户 { $user } 的角色 { $role }。
role-remove-cases = 其认领的案件已退回待认领：{ $cases }。
role-remove-unchanged = 用户 { $user } 没有角色 { $role }，没有变化。
text-too-long = 消息有点长，我一次最多读 { $limit } 个字。请简短说说你需要什么，或者点 /menu 选择服务。
router-unsure = 我不太确定你要找哪项服务，是下面这个吗？
router-unknown = 抱歉，我没听懂。你可以换个说法，或者从下面选一项服务：
hint-other = 我现在只能看懂文字和位置。请打字告诉我你需要什么，或者从菜单选择：
unknown-command = 没有这个命令。发 /help 看看我能做什么。
button-stale = 这个按钮已经失效了，请重新打开菜单。
flood-notice = 你发得太快了，后面几条我没有处理。请稍等几秒，再把需要的发一次。
flood-skipped = 你前面有 { $count } 条消息等得太久，我就不一条条回答了，下面回答你最新的这条。
flood-button = 点得太快了，请稍等一下再点。
error-generic = 抱歉，出了点问题，刚才的操作没有完成。请稍后再试，或发 /menu 重新开始。
service-soon = { $service }：{ $about }
    这项服务正在准备中，很快就能用。现在可以先看看其他服务。

btn-jobs = 💼 找工作
btn-legal = ⚖️ 法律帮助
btn-match = 💞 婚恋交友
btn-station = 🏠 工会驿站
btn-lang = 🌐 语言 Language
btn-help = ❓ 帮助
btn-menu = 🏠 主菜单

about-jobs = 工会发布的岗位，按区县、地铁、行业找活，还能登记求职、收到新岗位提醒。
about-legal = 欠薪、合同、辞退、工伤、社保、加班等问题先给你法律条文的解答，需要时转给工会的志愿律师。
about-match = 工会会员的婚恋交友服务：会员认证、红娘审核、双方同意才交换联系方式，还有联谊活动。
about-station = 发个位置，就能找到最近的工会驿站：喝水、热饭、充电、歇脚，还有开放时间和路线。

cmd-start = 开始
cmd-menu = 主菜单
cmd-help = 帮助
cmd-cancel = 退出当前步骤
cmd-lang = 切换语言

forget-ask = 要删除我保存的你的所有信息吗？包括语言设置、进行中的步骤，以后各项服务里的资料也会一起删除。删除后不能恢复。
btn-forget-yes = 确认删除
btn-forget-no = 先不删
forget-done = 已删除：
    { $items }
    如果以后再发消息，我会从头开始。
forget-kept = 好的，什么都没有删除。
forget-item-profile = 你的用户记录（语言、角色、首次和最近使用时间）
forget-item-flow = 进行中的步骤
forget-item-roles = 你的角色（已收回，每一项都记入了审计日志）
forget-item-cases = 你认领的案件已退回待认领队列，志愿律师群已收到通知：{ $cases }
forget-ask-roles = 你在这里有角色：{ $roles }。删除数据的同时会收回这些角色，每一项都记入审计日志。
forget-ask-cases = 你认领、还没结案的案件有 { $count } 件：{ $cases }。确认后它们会退回待认领队列，志愿律师群会收到通知，其他志愿律师可以接手。
forget-admin-configured = 你的 ID 写在 GONGYOU_ADMIN_IDS 里，是配置的管理员，我不会删除你的数据（下次启动时你又会成为管理员）。请先把你的 ID 从 GONGYOU_ADMIN_IDS 中删除并重启机器人，再发 /forget。
role-name-admin = 管理员
role-name-staff = 工会工作人员
role-name-volunteer_legal = 志愿律师
role-name-volunteer_match = 红娘志愿者
cmd-forget = 删除我的数据
cmd-jobs = 找工作
cmd-my_alerts = 求职登记和岗位提醒
cmd-post_job = 单位发布招聘

flow-paused = 刚才的「{ $service }」还没做完，已经帮你留着。想接着做就点下面的按钮。
btn-resume = ↩️ 继续刚才的{ $service }
flow-resume-gone = 刚才的步骤已经过期或不存在了，请重新开始。

# one set of navigation labels for every service (the services' keys refer to these)
nav-back = ⬅️ 上一步
nav-cancel = ✖️ 取消
nav-return = ↩️ 返回

# /inbox (staff): the update inbox
inbox-summary =
    消息收件箱：等待处理 { $new } 条，等待重试 { $failed } 条，已处理 { $done } 条（保留 7 天），已放弃 { $parked } 条。
    最近放弃的：
    { $latest }
inbox-parked-line = #{ $update } · { $when } · 尝试 { $tries } 次 · { $error }
inbox-none-parked = 无

## 我的数据：/mydata 和 /privacy
cmd-mydata = 查看我的数据（发给你一份文件）
cmd-privacy = 保存了什么、为什么、保存多久
mydata-private-only = 你的数据只在和我的私聊里发送。请点我的头像，私聊发 /mydata。
mydata-caption = 这是我保存的关于你的全部资料：一份可以直接看的文本，一份 JSON（方便其他软件读取）。想删除，发 /forget；想了解用途和保存期限，发 /privacy。
mydata-file-title = 工友机器人保存的关于你的资料（导出日期 { $date }）
mydata-profile = 用户记录（语言、角色、首次和最近使用时间）
mydata-flow = 进行中的步骤
mydata-inbox = 你发来、还在保存期内的消息
mydata-outbox = 等待发给你、或刚发给你的消息
mydata-audit = 你做过的、记入审计日志的操作
mydata-jobs-seeker = 求职登记
mydata-jobs-alerts = 新岗位提醒记录
mydata-jobs-views = 你查看过联系方式的岗位
mydata-jobs-reports = 你对岗位的举报
mydata-jobs-postings = 你提交的岗位和单位
mydata-jobs-broadcasts = 发给你的群发消息
mydata-station-reports = 你对驿站的反映
mydata-membership = 会员认证（只保存会员卡号的指纹，不保存卡号本身）
mydata-legal-cases = 法律援助案件（你填写的内容、和志愿律师的对话、证据文件的名称）
mydata-legal-questions = 你问过的法律问题（只记下给了哪条解答、是否有帮助）
mydata-match-profile = 婚恋交友资料
mydata-match-decisions = 给你推荐过的人和你的选择（不写对方是谁）
mydata-match-pairs = 配对和红娘介绍（不写对方是谁）
mydata-match-reports = 你提交的举报（不写被举报的人）
mydata-match-events = 联谊活动报名
privacy =
    🔒 我保存什么、为什么、保存多久、谁能看到

    保存什么：你的语言和使用时间；你用各项服务时填写的内容（求职登记、法律咨询案件、婚恋资料、活动报名、对岗位和驿站的反映）。会员认证只保存会员卡号的指纹，不保存卡号。法律问答只记下给了哪条解答，不保存你的原话。
    为什么：只为了给你提供你要的服务。统计只用不记名的数字。
    保存多久：你发来的消息处理完后保存 { $inbox_days } 天；结案的法律援助案件 { $case_months } 个月后删去个人信息，只留下不记名的统计；其他资料保存到你删除为止。
    谁能看到：工会工作人员管理岗位、驿站和群发；志愿律师看你的案件，你同意了才看到你的名字；红娘审核你的婚恋资料；其他会员只能按你选的范围看到你的资料，双方都同意后才交换联系方式。角色变动和认证等操作记在审计日志里。

    发 /mydata 获取你的全部资料；发 /forget 全部删除。
