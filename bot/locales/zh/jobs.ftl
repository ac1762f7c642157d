## 工友 — 找工作：岗位菜单、搜索和筛选、岗位卡片、举报、到期提醒。每个键在 en/jobs.ftl 里都必须有对应的英文。

jobs-menu = 💼 找工作：选一项吧。
jobs-btn-find = 🔎 找工作
jobs-btn-alerts = 🔔 我的岗位提醒
jobs-btn-post = 📝 发布招聘
jobs-btn-review = 🗂 待审核岗位
jobs-btn-broadcast = 📣 群发
jobs-btn-broadcast-status = 📊 群发进度

jobs-results-filters = 🔎 条件：{ $filters }
jobs-results-count = 找到 { $count } 个岗位，第 { $page }/{ $pages } 页，{ $order }：
jobs-results-page = 第 { $page } 页，{ $order }：
jobs-order-newest = 最新的在前
jobs-order-best = 最合适的在前
jobs-results-none = 没有找到符合这些条件的岗位。可以去掉一个条件（按钮上是去掉后能找到的岗位数），或者设个提醒：有合适的新岗位就告诉你。
jobs-results-none-together = 没有找到符合这些条件的岗位，只去掉其中一个条件也找不到。可以看看全部岗位，或者设个提醒：有合适的新岗位就告诉你。
jobs-results-none-at-all = 现在还没有在招的岗位。设个提醒吧：有新岗位就告诉你。
jobs-results-no-more = 没有更多岗位了。
jobs-btn-drop = ❌ 去掉 { $condition }（{ $count } 个岗位）
jobs-btn-see-all = 📋 看全部岗位
jobs-btn-alert = 🔔 有合适的岗位时告诉我
jobs-btn-first = ⏮ 回到第一页
jobs-filter-any = 不限
jobs-keywords-label = 关键词“{ $keywords }”
jobs-pay-at-least = 月薪 { $amount } 元以上
jobs-btn-prev = ◀ 上一页
jobs-btn-next = 下一页 ▶
jobs-btn-district = 📍 区县
jobs-btn-line = 🚇 地铁
jobs-btn-industry = 🏭 行业
jobs-btn-type = 🕘 用工形式
jobs-btn-tags = 👥 适合人群
jobs-btn-pay = 💰 工资
jobs-btn-keywords = ⌨️ 输入关键词
jobs-btn-clear = 🧹 清除条件
jobs-btn-any = 不限
jobs-btn-back = { nav-return }
jobs-choose-district = 选择区县：
jobs-choose-line = 选择地铁线路：
jobs-choose-industry = 选择行业：
jobs-choose-type = 选择用工形式：
jobs-choose-tags = 选择适合人群（可多选，要求全部符合）：
jobs-choose-pay = 最低工资（日薪、时薪按月折算，面议的也会列出）：
jobs-choose-none = 现在还没有可选的项目。
jobs-ask-keywords = 请输入关键词，比如“保安”“分拣 夜班”（最多 50 个字）。发 /cancel 取消。
jobs-text-only = 请用文字回答，或发 /cancel 取消。

jobs-gone = 这个岗位已经下架或过期了，看看别的吧。
jobs-btn-contact = 📞 查看联系方式
jobs-btn-report = ⚠️ 举报这个岗位
jobs-report-ask = 这个岗位（{ $title }）有什么问题？
jobs-report-scam = 骗人或要收费
jobs-report-closed = 已经招满或不招了
jobs-report-other = 其他问题
jobs-report-ask-text = 请简单说说是什么问题（最多 300 字）。发 /cancel 取消。
jobs-report-thanks = 谢谢你的举报，工会工作人员会核实。
jobs-report-duplicate = 你已经举报过这个岗位了，谢谢。
jobs-report-too-long = 太长了，请控制在 300 字以内，再点一次“举报”。

jobs-expired-notice = 你发布的 { $count } 个岗位已过截止日期，已自动下架：
    { $titles }
    如果还在招人，请重新发布。

jobs-forget-views = 你查看过的岗位联系方式记录
jobs-forget-reports = 你对岗位的举报（举报内容保留，但不再和你关联）
