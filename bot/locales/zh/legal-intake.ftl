## 法律帮助（工友这一边）：先给解答，再按步骤填写咨询、立案

lg-menu = ⚖️ 法律帮助
    直接打字说说你遇到的问题，比如“老板拖欠工资怎么办”“加班费怎么算”，我先告诉你法律上是怎么规定的。
    下面是大家常问的问题。需要工会的志愿律师帮忙时，点“我要请律师帮忙”。
lg-btn-case = 📝 我要请律师帮忙
lg-btn-case-resume = 📝 继续填写我的咨询
lg-btn-my-cases = 📂 我的案件
lg-btn-related = 📖 { $title }
lg-btn-yes = 👍 有帮助
lg-btn-no = 👎 没解决
lg-disclaimer = ℹ️ 以上是一般法律信息，不构成法律意见。每个人情况不同，具体怎么办请咨询律师或工会法律援助站。
lg-did-it-help = 这个回答对你有帮助吗？
lg-offer = 你问的是不是下面这些问题？点一下看解答。都不是的话，可以把情况告诉工会的志愿律师，他们会在这里回复你。
lg-handover = 这个问题我这里没有合适的解答，它可能不属于劳动法律问题。可以拨打 12348 公共法律服务热线，或到当地工会法律援助服务站咨询（职工维权热线 12351）。如果和工作有关，也可以把情况写下来，交给工会的志愿律师。
lg-btn-none = 都不是，找志愿律师
lg-thanks = 太好了！还有别的问题，直接打字问我就行。
lg-sorry = 抱歉没能解决你的问题。你可以把情况告诉工会法律援助站的志愿律师：点“我要请律师帮忙”，按提示一步步填写，律师会在这里回复你。

li-intro = 好的，我们一步步把情况记下来，填完后会交给工会法律援助站的志愿律师。每一步都可以点“上一步”修改，随时发 /cancel 退出。
li-intro-story = 你刚才的问题已经记作“事情经过”，最后确认前可以修改。
li-intro-category = 问题类别：{ $category }（不对的话点“上一步”重选）
li-resume = 你上次填到一半的咨询还在，我们接着填。
li-private-only = 填写咨询请私聊我：点我的头像，发 /legal。

li-ask-category = 你遇到的是哪一类问题？
li-ask-employer = 单位或老板叫什么名字？（不知道可以写“不知道”，或者点“跳过”）
li-ask-place = 在哪个城市、哪个区县干活？比如“郑州 金水区”。
li-ask-start = 哪天开始在这里干活的？比如 2024-03-05；记不清哪天，写“2024年3月”“去年12月”“前年”也行。完全不记得可以跳过。
li-ask-end = 哪天不干了？比如 2025-01-20，或者“上个月底”“今年五月”。如果现在还在这里干，点“现在还在做”。
li-ask-injury-date = 受伤（或者职业病确诊）是哪一天？比如 2025-06-18。这个日期关系到申请工伤认定的期限，请尽量写准。
li-ask-dismissal-date = 哪天被辞退的？比如 2025-05-10。如果就是最后上班那天，可以跳过。
li-ask-amount = 涉及多少钱（被欠的工资、加班费、医药费、补偿等）？比如 18000，或者 1.8万。不确定可以跳过。
li-ask-story = 请说说发生了什么：老板怎么说的、你做了什么、现在怎么样了。写得越清楚，律师越好帮你（至少 10 个字）。
li-ask-evidence = 有证据的话请发过来：劳动合同、工资条、考勤记录、聊天截图、转账记录等，拍照或者发文件都可以（最多 { $limit } 份，每个文件不超过 20 MB）。发完点“完成”；没有的话点“跳过”。
li-ask-contact = 律师怎么联系你？
li-ask-phone = 请发你的手机号码，比如 13800138000。也可以点下面的按钮，直接分享你在 Telegram 上的号码。
li-ask-consent =
    提交之前请确认：
    · 工会法律援助站的志愿律师会看到你填写的情况和你发的证据，用来给你解答、调解或者代理；
    · 工会会保存这份咨询，用来跟进和统计（统计不含个人信息）；
    · 你的姓名和电话只有在你同意时才给律师看；
    · 你随时可以发 /forget 删除你的资料。
    同意吗？
li-ask-name = 可以让志愿律师看到你的名字吗？不同意的话，律师只看到案件编号。

li-field-category = 问题类别
li-field-employer = 单位/老板
li-field-place = 地点
li-field-dates = 工作时间
li-field-incident = 事发日期
li-field-amount = 金额
li-field-story = 经过
li-field-evidence = 证据
li-field-contact = 联系方式
li-field-name = 是否显示姓名

li-bad-empty = 没有收到内容，请再写一下。
li-bad-too-long = 有点长了，最多 { $limit } 个字，请简短一些。
li-bad-too-short = 再多写几句吧，至少 { $limit } 个字，律师才能看明白。
li-bad-date = 没看懂这个日期。请这样写：2024-03-05、2024年3月5日、2024年3月、去年12月、3个月前。
li-bad-date-future = 这个日期还没到。请写已经过去的日期，比如 2024年3月、上个月底。
li-bad-end-before-start = 不干的日期比开始的日期还早，请再看一下。
li-bad-amount = 没看懂这个金额。请写一共多少钱，比如 18000、1.8万、两千五。
li-bad-phone = 这个号码好像不对。请写 7 到 20 位数字，可以带 + 和 -，比如 13800138000。
li-bad-contact-other = 这是别人的号码。请分享你自己的号码，或者直接打字写号码。
li-bad-evidence-full = 一份咨询最多 { $limit } 份证据，已经够了。请点“完成”继续；还有更多的，律师接手后可以再补。
li-bad-file-too-big = 这个文件太大了（超过 { $limit } MB），我收不了。可以拍照，或者发小一点的文件。

li-btn-still = 现在还在做
li-btn-contact-bot = 只通过机器人联系
li-btn-contact-phone = 可以打电话
li-btn-share-phone = 📱 分享我的号码
li-btn-agree = ✅ 同意
li-btn-disagree = 不同意
li-btn-name-show = 可以
li-btn-name-hide = 不可以
li-btn-done = ✅ 完成
li-btn-skip = 跳过
li-btn-back = { nav-back }
li-btn-cancel = { nav-cancel }
li-btn-submit = ✅ 确认提交
li-btn-edit = ✏️ 修改
li-btn-summary = ⬅️ 回到汇总

li-current = 现在填的是：{ $value }
li-evidence-count = 已经收到 { $count } 份。
li-evidence-got = 收到了，现在一共 { $count } 份。还有就接着发，发完点“完成”。
li-evidence-send = 请发照片或文件；发完了点“完成”，没有证据点“跳过”。
li-evidence-kinds = 证据只能是照片或文件（比如合同、工资条、聊天截图）。
li-use-buttons = 请点下面的按钮回答。
li-text-only = 这一步请打字回答。
li-phone-hint = 👇 或者点这个按钮分享号码：
li-phone-saved = 📱 号码记下了。
li-phone-closed = 好的。
li-consent-needed = 没有你的同意，律师看不到你的情况，就没法帮你立案。你填的内容都还在：想好了可以点“同意”，也可以不填了。
li-summary-header = 请核对一下，律师会看到这些内容：
li-summary-hint = 没问题就点“确认提交”；要改哪一项点“修改”。
li-edit-choose = 要修改哪一项？
li-cancelled = 好的，这份咨询不填了，填的内容已经删除。需要时随时可以重新开始。
li-submitted = ✅ 已经收到你的咨询，案件编号：{ $number }
li-next = 接下来：工会法律援助站的志愿律师会接手你的案件，有人接手、有问题要问你、有答复时，都会在这里通知你。请留意这里的消息。发 /my_cases 可以看你的案件进展，也可以补充材料。
