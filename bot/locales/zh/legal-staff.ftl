## Legal help for staff: statistics, the case export, and volunteers' FAQ drafts

ls-bad-days = 天数请写 1 到 { $max } 之间的整数，例如：/legal stats 30

ls-stats-title-all = 📊 法律帮助统计（全部）
ls-stats-title-days = 📊 法律帮助统计（最近 { $days } 天）
ls-stats-faq = 自动解答：{ $total } 次（有帮助 { $helped }，没帮助 { $unhelpful }，未表态 { $silent }）
ls-stats-cases = 新开案件：{ $total } 件（等待志愿律师 { $open }，处理中 { $claimed }，已结案 { $closed }；紧急 { $urgent }）
ls-stats-by-category = 按类别：
ls-stats-by-outcome = 结案结果：
ls-stats-line = · { $name }：{ $count }
ls-stats-none = · 暂无
ls-stats-reply = 志愿律师首次回复用时：中位数 { $median }，90% 在 { $p90 } 以内（已回复 { $replied } 件，尚未回复 { $waiting } 件）
ls-stats-reply-none = 志愿律师首次回复用时：还没有回复过的案件（尚未回复 { $waiting } 件）
ls-stats-ratings = 工友评分：{ $count } 个，平均 { $average } 分（5★ { $five } · 4★ { $four } · 3★ { $three } · 2★ { $two } · 1★ { $one }）
ls-stats-ratings-none = 工友评分：还没有
ls-stats-footer = 导出案件明细：/legal export · 待审核草稿：/legal drafts（{ $drafts } 份）

ls-dur-minutes = { $minutes }分钟
ls-dur-hours = { $hours }小时{ $minutes }分
ls-dur-days = { $days }天{ $hours }小时

ls-export-none = 还没有可以导出的案件。
ls-export-caption = 案件明细 { $rows } 件。不含姓名、电话、单位、地点和经过；时间为 UTC。
ls-csv-case = 案件编号
ls-csv-category = 类别
ls-csv-created = 提交时间
ls-csv-claimed = 认领时间
ls-csv-first-reply = 首次回复时间
ls-csv-closed = 结案时间
ls-csv-outcome = 结果
ls-csv-urgent = 紧急
ls-csv-deadline = 期限
ls-csv-deadline-approximate = 期限为估算（日期只说了大概）
ls-csv-reannounced = 重新发布次数
ls-csv-escalated = 转交工作人员时间
ls-csv-rating = 评分
ls-csv-yes = 是
ls-csv-no = 否

ls-drafts-none = 没有待审核的常见问题草稿。
ls-drafts-header = 待审核的常见问题草稿共 { $count } 份，下面是最早的 { $shown } 份：
ls-drafts-line = #{ $id } [{ $category }] { $question }（志愿者 { $author }，{ $date }）
ls-btn-view = 查看 #{ $id }
ls-btn-approve = ✅ 通过 #{ $id }
ls-btn-reject = ✖️ 退回 #{ $id }
ls-draft-card =
    常见问题草稿 #{ $id }（{ $status }）
    类别：{ $category }
    来自案件：{ $case }
    志愿者：{ $author }，{ $date }

    问题：{ $question }
    其他问法：
    { $phrases }

    解答：
    { $answer }
ls-draft-pending = 待审核
ls-draft-approved = 已通过
ls-draft-rejected = 已退回
ls-draft-no-case = 无
ls-already = 这份草稿已经审核过了（{ $status }）。
ls-approved = ✅ 草稿 #{ $id } 已通过，机器人现在就会用它回答工友：{ $question }
ls-rejected = 草稿 #{ $id } 已退回：{ $question }
ls-approve-ask = 确定通过草稿 #{ $id } 吗？通过后机器人马上会用它回答工友：{ $question }
ls-reject-ask = 确定退回草稿 #{ $id } 吗？退回后不能再通过：{ $question }
ls-btn-approve-yes = ✅ 确定通过 #{ $id }
ls-btn-reject-yes = ✖️ 确定退回 #{ $id }
ls-btn-review-keep = 取消
ls-review-kept = 好的，草稿 #{ $id } 继续等待审核。

ld-intro-case = 把案件 { $number } 里的好解答整理成常见问题草稿。工作人员审核通过后，机器人会直接用它回答其他工友。
ld-intro = 把一个好解答整理成常见问题草稿。工作人员审核通过后，机器人会直接用它回答工友。
ld-resume = 继续写你还没写完的草稿：
ld-privacy = ⚠️ 常见问题所有工友都能看到：不要写工友的姓名、电话、身份证号、单位等个人信息。
ld-ask-question = 第 1 步（共 4 步）：工友会怎么问？请用工友自己的话写一个问题（{ $min }–{ $max } 字）。
ld-ask-phrases = 第 2 步：还有别的问法吗？每行写一种（最多 { $count } 行，每行不超过 { $max } 字）。没有的话请点「跳过」。
ld-ask-answer = 第 3 步：请写解答（{ $min }–{ $max } 字），最好写明依据的法律条文。
ld-ask-category = 第 4 步：这个问题属于哪一类？
ld-current = 现在填的是：{ $value }
ld-preview =
    请检查草稿，没问题就提交审核：

    类别：{ $category }
    问题：{ $question }
    其他问法：
    { $phrases }

    解答：
    { $answer }
ld-phrases-none = （没有）
ld-bad-short = 太短了，至少要 { $limit } 个字。
ld-bad-long = 太长了，最多 { $limit } 个字。
ld-bad-many = 别的问法最多写 { $limit } 行。
ld-bad-phone = 里面好像有手机号码。常见问题所有工友都能看到，请删掉个人信息再发一次。
ld-bad-id-card = 里面好像有身份证号码。常见问题所有工友都能看到，请删掉个人信息再发一次。
ld-use-buttons = 请点下面的按钮。
ld-text-only = 这一步请发文字。
ld-btn-skip = 跳过
ld-btn-back = { nav-back }
ld-btn-cancel = { nav-cancel }
ld-btn-use-last = 用我最后发给工友的那条回复
ld-btn-submit = 📨 提交审核
ld-no-last = 你在这个案件里还没有给工友发过文字消息。
ld-submitted = 草稿 #{ $id } 已提交。工作人员审核后会加入自动解答，结果会告诉你。谢谢！
ld-cancelled = 草稿已取消。
ld-not-yours = 只有认领或结办这个案件的志愿律师可以用它写草稿。
ld-open-private = 请先私聊机器人（打开机器人，发送 /start），再来写草稿。
ld-sent-private = 我已经私信你了，请在私聊里继续写草稿。
ld-approved = 你写的常见问题草稿 #{ $id }「{ $question }」已通过，机器人现在会用它回答工友。谢谢！
ld-rejected = 你写的常见问题草稿 #{ $id }「{ $question }」这次没有采用。谢谢你的付出！
