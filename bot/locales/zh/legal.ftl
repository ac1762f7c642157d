## Legal help: what every part of the service shares (categories, outcomes, the case summary)

legal-cat-wages = 拖欠工资
legal-cat-overtime = 加班和工时
legal-cat-contract = 劳动合同
legal-cat-dismissal = 辞退和裁员
legal-cat-injury = 工伤
legal-cat-insurance = 社会保险
legal-cat-resign = 辞职和离职结算
legal-cat-women = 女职工权益
legal-cat-dispatch = 劳务派遣
legal-cat-platform = 平台和灵活就业
legal-cat-other = 其他问题

legal-outcome-answered = 已解答
legal-outcome-mediation = 转调解
legal-outcome-legal_aid = 法律援助已受理
legal-outcome-withdrawn = 已撤回

legal-status-open = 等待志愿律师
legal-status-claimed = 志愿律师处理中
legal-status-closed = 已结案

legal-rule-arbitration = 劳动仲裁时效为一年，从知道或应当知道权利被侵害之日起算（《劳动争议调解仲裁法》第27条）
legal-rule-arbitration_wages = 在职期间拖欠工资不受一年时效限制，但离职后须在一年内申请仲裁（《劳动争议调解仲裁法》第27条第4款）
legal-rule-injury = 单位不申请的，本人或家属可在事故发生或职业病确诊之日起一年内申请工伤认定（《工伤保险条例》第17条）
legal-deadline-near = ⏰ 期限提醒：最迟 { $due }（还剩 { $days } 天）。{ $rule }
legal-deadline-passed = ⚠️ 期限可能已过：{ $due }。{ $rule }。时效可能因中断、中止而延长，仍请尽快咨询。
legal-deadline-near-about = ⏰ 期限提醒：约 { $due }（日期只记得大概，按最早可能的一天算，还剩 { $days } 天）。{ $rule }
legal-deadline-passed-about = ⚠️ 期限可能已过：约 { $due }（日期只记得大概，按最早可能的一天算）。{ $rule }。时效可能因中断、中止而延长，仍请尽快咨询。

legal-sum-number = 案件编号：{ $number }
legal-sum-urgent = 🔴 紧急：期限临近或可能已过
legal-sum-category = 问题类别：{ $category }
legal-sum-employer = 单位/老板：{ $employer }
legal-sum-place = 地点：{ $place }
legal-sum-dates = 工作时间：{ $start } 至 { $end }
legal-sum-still-working = 现在还在做
legal-sum-incident = 事发日期：{ $day }
legal-sum-amount = 涉及金额：{ $amount } 元
legal-sum-description = 经过：{ $text }
legal-sum-evidence = 证据：{ $count } 份
legal-sum-contact-phone = 联系方式：电话 { $phone }
legal-sum-contact-bot = 联系方式：只通过机器人联系
legal-sum-name = 姓名：{ $name }
legal-sum-name-hidden = 姓名：不公开

cmd-legal = 法律帮助
cmd-my_cases = 我的法律求助案件
help-volunteer-legal =
    志愿律师：
    /cases 待处理的案件（紧急的在前）
    /case <编号> 查看一个案件：认领、放弃、向工友提问、结案
    /kb_draft 把好的解答写成问答草稿，交工作人员审核
    在案件的话题里发的消息会转给工友（以“//”开头的是内部备注，不转发）
    /panel 获取网页后台的登录链接
