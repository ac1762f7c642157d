## 工会服务：金秋助学、困难帮扶、法律援助、学历提升等（内容在 knowledge/data/union）

un-list = 🏛 工会服务
    工会为会员（很多也为所有职工）提供这些帮助。点一项看谁可以申请、准备什么、到哪里办：
un-unsure = 我不太确定你问的是哪项工会服务。下面是全部工会服务，点一项看看：
un-btn-other = 👉 { $title }
un-btn-list = 🏛 全部工会服务
un-open-station = 🏠 找附近的工会驿站
un-open-match = 💞 打开婚恋交友
un-open-legal = ⚖️ 问法律问题
un-open-jobs = 💼 找工作
cmd-union = 工会服务：助学、帮扶、法律援助等
btn-union = 🏛 工会服务
