## 工友 — 单位发布岗位（/post_job）、我的岗位（/my_postings）和工作人员审核（/review_jobs）。

jp-intro = 📝 发布招聘岗位
    我会一步步问你岗位的情况，大约两三分钟。提交后由工会工作人员审核，审核通过才会发布给工友。
    注意：招聘时不得向工友收取押金、培训费、体检费等任何费用。
    每一步都可以点“上一步”修改，随时发 /cancel 退出。
jp-resume = 继续填写你还没提交的岗位（想重新开始，先发 /cancel）。
jp-ask-emp = 第 1 步：单位名称是什么？（例如：郑州某某物流有限公司）
jp-ask-reg = 第 2 步：单位的统一社会信用代码或注册号是多少？没有可以点“跳过”。
jp-ask-title = 第 3 步：岗位名称是什么？（例如：快递分拣员）
jp-ask-place = 第 4 步：工作地点在哪个城市、哪个区县？（例如：郑州市 金水区）
jp-ask-addr = 第 5 步：详细地址？（例如：花园路 100 号）可以跳过。
jp-ask-metro = 第 6 步：最近的地铁线路和站点？（例如：1号线 紫荆山站）可以跳过。
jp-ask-ind = 第 7 步：属于哪个行业？请点下面的按钮。
jp-ask-type = 第 8 步：用工形式是？请点下面的按钮。
jp-ask-pay = 第 9 步：薪资是多少？例如“4000-6000元/月”“一个月两千五”“一天两百”“25元/小时”或“面议”。
jp-ask-hours = 第 10 步：工作时间？（例如：早8点到晚6点，月休4天）可以跳过。
jp-ask-req = 第 11 步：岗位要求和工作内容？（例如：身体健康，能吃苦，不限学历）
jp-ask-tags = 第 12 步：这个岗位适合哪些工友？可以多选，选好后点“选好了”。
jp-ask-contact = 第 13 步：工友怎么联系你？（电话或微信，必填）
jp-ask-exp = 第 14 步：招聘截止日期？（例如：2026-12-31）可以跳过，默认发布 30 天。
jp-field-emp = 单位名称
jp-field-reg = 注册号
jp-field-title = 岗位名称
jp-field-place = 城市和区县
jp-field-addr = 详细地址
jp-field-metro = 地铁
jp-field-ind = 行业
jp-field-type = 用工形式
jp-field-pay = 薪资
jp-field-hours = 工作时间
jp-field-req = 岗位要求
jp-field-tags = 适合人群
jp-field-contact = 联系方式
jp-field-exp = 截止日期
jp-current = 现在填的是：{ $value }
jp-bad-too_long = 这一项太长了，最多 { $limit } 个字，请简短一些再发一次。
jp-bad-empty = 这一项不能为空，请再发一次。
jp-bad-pay = 没看懂这个薪资。请这样写：“4000-6000元/月”“一个月两千五”“200元/天”“25元/小时”，或者写“面议”。
jp-bad-date_format = 没看懂这个日期。请这样写：2026-12-31。
jp-bad-date_past = 这个日期已经过去了，请填今天以后的日期，或者点“跳过”。
jp-bad-reg = 注册号只能有字母、数字和横线（例如 18 位的统一社会信用代码）。没有可以点“跳过”。
jp-bad-industry = 没认出这个行业，请点下面的按钮选择。
jp-bad-type = 没认出这个用工形式，请点下面的按钮选择。
jp-text-only = 抱歉，这一步我只能看懂文字，请打字回答。
jp-use-buttons = 这一步请点下面的按钮。
jp-btn-back = { nav-back }
jp-btn-cancel = { nav-cancel }
jp-btn-skip = 跳过 ▶
jp-btn-done = ✔ 选好了
jp-btn-submit = ✅ 提交审核
jp-btn-edit = ✏️ 修改
jp-btn-preview = ◀ 回到预览
jp-preview-header = 请核对岗位信息（工友看到的样子）：
jp-preview-reg = 注册号：{ $registration }
jp-preview-fee = ⚠️ 这里提到了押金或其他费用。招聘时不得向工友收取任何费用，这样的岗位不能发布。建议点“修改”去掉这部分再提交。
jp-preview-hint = 没问题就点“提交审核”；要改哪一项点“修改”。
jp-edit-choose = 要修改哪一项？
jp-cancelled = 好的，已取消，这个岗位没有提交。
jp-submitted = 谢谢！岗位已提交（编号 { $id }），工会工作人员审核通过后就会发布，结果会通知你。发 /my_postings 可以查看状态。
jp-note-fee = ⚠️ 岗位信息里提到了押金或其他费用。按照劳动合同法，招聘时不得向劳动者收取押金或任何费用，这样的岗位不能发布。如果是误会，请撤回后重新提交，去掉收费的内容。
jp-note-below_min_wage = ⚠️ 薪资看起来低于当地最低工资标准，工作人员会和你核实。
jp-note-no_contact = ⚠️ 没有填联系方式，工友没法联系你。
jp-note-duplicate = ℹ️ 已经有一个相同单位、相同岗位和区县的岗位在审核或发布中，工作人员会核对是否重复。
jp-btn-my = 📋 我的岗位
jp-btn-new = 📝 发布岗位
jp-my-header = 📋 你提交的岗位：
jp-my-none = 你还没有提交过岗位。
jp-my-status = 　状态：{ $status }（编号 { $id }）
jp-my-note = 　未通过原因：{ $reason }
jp-btn-withdraw = 撤回第 { $number } 个
jp-withdrawn = 岗位（编号 { $id }）已撤回，工友不会再看到它。
jp-forget-item = 你提交的岗位（未发布的已删除，已发布的不再和你关联）

jp-q-empty = ✅ 没有待审核的岗位。
jp-q-header = 待审核 第 { $position } 个，共 { $total } 个
jp-q-employer = 注册号：{ $registration }（{ $verified }）
    提交人：{ $owner } · 提交日期：{ $date }
jp-q-verified = 单位已核实
jp-q-unverified = 单位未核实
jp-btn-approve = ✅ 通过发布
jp-btn-reject = ❌ 不通过
jp-btn-qedit = ✏️ 修改
jp-btn-next = 下一个 ▶
jp-btn-queue = ◀ 回到审核列表
jp-q-approved = 已发布“{ $title }”，给 { $alerts } 位工友排了新岗位提醒。
jp-q-rejected = 已退回“{ $title }”，原因已告诉提交人。
jp-q-ask-reason = 为什么不通过“{ $title }”？请写一句原因，会发给提交人。发 /cancel 放弃。
jp-q-choose-field = 要修改“{ $title }”的哪一项？
jp-q-ask-value = 请发“{ $title }”的新{ $field }。
    现在是：{ $value }
    发 /cancel 放弃。
jp-q-edited = 已修改，并重新检查了一遍：
jp-q-gone = 这个岗位已经不在审核中了（可能已经被处理），没有修改。
jp-rf-title = 岗位名称
jp-rf-employer_name = 单位名称
jp-rf-district = 区县
jp-rf-metro = 地铁
jp-rf-industry = 行业
jp-rf-type = 用工形式
jp-rf-pay = 薪资
jp-rf-hours = 工作时间
jp-rf-requirements = 岗位要求
jp-rf-contact = 联系方式
jp-rf-expires_on = 截止日期
jp-owner-published = 🎉 你提交的岗位“{ $title }”已通过审核并发布，截止日期 { $date }。
jp-owner-rejected = 你提交的岗位“{ $title }”这次没有通过审核。
    原因：{ $reason }
    修改后可以发 /post_job 重新提交。谢谢理解！
