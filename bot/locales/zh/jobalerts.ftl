## 工友 — 求职登记和新岗位提醒。每个键在 en/jobalerts.ftl 里都必须有对应的英文。

ja-intro =
    📝 求职登记：告诉工会你想找什么样的活——在哪个区、什么行业、全职还是日结、工资最少多少。
    🔔 新岗位提醒：工会发布了符合你登记条件的新岗位，我会发消息告诉你。几个岗位合在一条消息里发{ $quiet_note }，随时可以一键退订。
    在下面选你的条件（不选就是“不限”），选了就开始提醒；什么都不限的话，直接点“开启提醒”。
ja-quiet-note = ，{ $hours } 之间不打扰
ja-summary =
    📋 你的求职登记
    区县：{ $districts }
    行业：{ $industries }
    用工形式：{ $types }
    地铁线路：{ $metro }
    适合人群：{ $tags }
    最低工资：{ $pay }
    新岗位提醒：{ $alerts }
ja-any = 不限
ja-pay-at-least = { $pay }以上
ja-alerts-on = 🔔 已开启
ja-alerts-off = 🔕 已关闭
ja-not-registered = 还没有登记

ja-part-districts = 📍 区县
ja-part-industries = 🏭 行业
ja-part-types = 🕒 用工形式
ja-part-metro_lines = 🚇 地铁线路
ja-part-tags = 👤 适合人群
ja-part-pay = 💰 最低工资

ja-edit-districts = 选你想在哪些区县干活，可以选多个（最多 { $max } 个），再点一次取消。下面没有的，点“自己输入”。
ja-edit-metro_lines = 选你方便去的地铁线路，可以选多个（最多 { $max } 个），再点一次取消。下面没有的，点“自己输入”。
ja-edit-industries = 选你想做的行业，可以选多个，再点一次取消。一个都不选就是不限。
ja-edit-types = 选用工形式，可以选多个，再点一次取消。一个都不选就是不限。
ja-edit-tags = 选适合你的情况，只提醒标了其中任意一项的岗位。一个都不选就是不限。
ja-edit-pay = 选你能接受的最低工资。按天、按小时的工资会换算成月工资来比（每月按 21.75 天算）。
ja-no-places = 现在已发布的岗位里还没有可选的，点“自己输入”。
ja-type-districts = 请输入区县名字，比如“金水区”。发 /cancel 退出。
ja-type-metro_lines = 请输入地铁线路，比如“1号线”。发 /cancel 退出。
ja-place-added = 已添加：{ $place }

ja-btn-type = ✏️ 自己输入
ja-btn-back = { nav-return }
ja-btn-alerts-on = 🔔 开启提醒
ja-btn-alerts-off = 🔕 关闭提醒
ja-btn-delete = 🗑 删除登记
ja-btn-delete-yes = 确认删除
ja-btn-delete-no = 先不删
ja-btn-pay-none = 不限
ja-btn-search = 🔍 查看更多岗位
ja-btn-unsubscribe = 🔕 不再提醒
ja-btn-settings = ⚙️ 修改登记

ja-delete-ask = 要删除你的求职登记吗？删除后不会再收到新岗位提醒。
ja-deleted = 已删除你的求职登记。想重新登记，发 /my_alerts。
ja-alerts-now-on = 🔔 已开启新岗位提醒。
ja-alerts-now-off = 🔕 已关闭新岗位提醒。
ja-off-done = 🔕 好的，不会再给你发新岗位提醒了。你的求职登记还在；想重新开启，发 /my_alerts 或点下面的按钮。

ja-error-place_empty = 名字不能是空的，请重新输入。
ja-error-place_too_long = 名字太长了，最多 16 个字，请重新输入。
ja-error-too_many = 最多选 10 个，请先取消几个。
ja-error-unknown_industry = 没有这个行业，请用按钮选。
ja-error-unknown_type = 没有这种用工形式，请用按钮选。
ja-error-unknown_tag = 没有这个选项，请用按钮选。
ja-error-bad_pay = 这个工资数不对，请用按钮选。
ja-error-unknown_part = 没有这一项，请用按钮选。

ja-alert-header = 🔔 有 { $count } 个新岗位符合你的求职登记：
ja-alert-more = ……还有 { $more } 个，点“查看更多岗位”去找。
ja-alert-footer = 点编号看详情和联系方式。不想再收到提醒，点“不再提醒”。

ja-forget-item = 你的求职登记和新岗位提醒记录
