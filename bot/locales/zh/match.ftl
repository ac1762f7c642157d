# Matchmaking: choices, cards and contact screening shared by every part (bot/match/core.py).

match-gender-m = 男
match-gender-f = 女
match-want-m = 男士
match-want-f = 女士
match-want-a = 不限
match-education-primary = 小学
match-education-middle = 初中
match-education-high = 高中/中专
match-education-vocational = 技校/职高
match-education-college = 大专
match-education-bachelor = 本科
match-education-master = 研究生及以上
match-interest-cooking = 做饭
match-interest-sports = 运动健身
match-interest-music = 音乐唱歌
match-interest-movies = 看电影
match-interest-reading = 读书
match-interest-travel = 旅行
match-interest-games = 游戏
match-interest-outdoors = 户外爬山
match-interest-pets = 养宠物
match-interest-crafts = 手工
match-interest-dancing = 跳舞
match-interest-photography = 摄影
match-interest-family = 看重家庭
match-interest-honesty = 踏实诚信
match-interest-kindness = 善良体贴
match-interest-thrift = 勤俭持家
match-interest-ambition = 上进心
match-interest-faith = 有信仰
match-visibility-matchmakers = 只给红娘看
match-visibility-members = 红娘和已认证的会员都能看
match-any-district = 不限区域

match-card-number = 资料编号：{ $number }
match-card-head = { $gender }，{ $age } 岁，{ $place }
match-card-education = 学历：{ $value }
match-card-occupation = 职业：{ $value }
match-card-height = 身高：{ $value } 厘米
match-card-interests = 兴趣和看重的：{ $value }
match-card-intro = 自我介绍：{ $value }
match-card-wants = 想找：{ $gender }，{ $low }–{ $high } 岁，{ $districts }
match-card-want-other = 其他要求：{ $value }

match-contact-phone = 文字里好像有电话号码。
match-contact-wechat = 文字里好像有微信号。
match-contact-qq = 文字里好像有 QQ 号。
match-contact-link = 文字里好像有网址链接。
match-contact-email = 文字里好像有邮箱地址。
match-contact-handle = 文字里好像有 Telegram 用户名。
match-contact-why = 为了保护大家，联系方式只在双方都同意之后由机器人交换。请去掉后再发一次。

match-pair-member = 这位会员
match-pair-like = 💞 你们互相喜欢！对方的 Telegram：{ $contact }
    点名字就能打开对话。见面请选公共场所，注意安全；遇到不当行为可随时向红娘举报。
match-pair-intro = 💞 红娘介绍的这位会员也同意认识你！对方的 Telegram：{ $contact }
    点名字就能打开对话。见面请选公共场所，注意安全；遇到不当行为可随时向红娘举报。

cmd-match = 婚恋交友（会员）
help-volunteer-match =
    红娘：
    /match review 审核会员资料（通过、请修改、不通过）
    /match reports 处理被举报的资料
    /match intro <资料编号> <资料编号> [留言] 介绍两位会员认识（双方都同意才交换联系方式）
