## 工友 — 岗位导入（gongyou import jobs 和工作人员上传的岗位表）。每个键在 en/jobimport.ftl 里都必须有对应的英文。

ji-done = 岗位表导入：
ji-summary = 导入完成：新增 { $added } 个岗位，更新 { $updated } 个，没有变化 { $unchanged } 个，拒绝 { $rejected } 行。
ji-summary-dry-run = 试运行，没有保存任何改动：将新增 { $added } 个岗位，更新 { $updated } 个，没有变化 { $unchanged } 个，拒绝 { $rejected } 行。
ji-outcome = 已发布 { $published } 个，等待审核 { $held } 个；已为匹配的求职者排队 { $alerts } 条提醒。
ji-outcome-dry-run = 将发布 { $published } 个，等待审核 { $held } 个（试运行不发提醒）。
ji-employers-added = 新登记用工单位 { $count } 个（尚未核实）。
ji-held-heading = 需要工作人员审核的岗位（{ $count }），请用 /review_jobs 查看：
ji-held-line = 第 { $line } 行“{ $title }”：{ $flags }
ji-rejected-heading = 被拒绝的行（{ $count }）：
ji-warnings-heading = 提醒（{ $count }）：
ji-line = 第 { $line } 行：{ $reason }
ji-more = …… 还有 { $count } 条
ji-file-refused = 岗位表没有导入：{ $reason }

## 被拒绝的行

ji-missing-title = 缺少岗位名称
ji-missing-employer = 缺少招聘单位
ji-text-too-long = 文字太长（{ $detail } 个字）
ji-expired = 截止日期 { $detail } 已经过了
ji-bad-date = 看不懂的截止日期“{ $detail }”（请写成 2026-12-31 这样）

## 提醒（这一行仍然导入了）

ji-unknown-industry = 不认识的行业“{ $detail }”，按“其他”处理
ji-unknown-type = 不认识的用工形式“{ $detail }”，按全职处理
ji-salary-unread = 看不懂薪资“{ $detail }”，按原文显示，当作面议
ji-duplicate-row = 与第 { $detail } 行是同一个岗位（单位、岗位、区县都相同），以第 { $detail } 行为准
ji-ignored-columns = 这些列没有用上：{ $detail }

## 整个文件无法导入

ji-file-empty = 文件是空的，没有任何岗位。
ji-file-too-large = 文件太大（{ $detail }），最多 20 MB。请分成几个文件导入。
ji-file-too-many-rows = 文件里的行太多，最多 { $detail } 行。请分成几个文件导入。
ji-file-encoding = 文件的文字编码无法识别。请另存为 Excel（.xlsx）或 UTF-8 编码的 CSV 文件。
ji-file-binary = 这不是表格文件。请上传 Excel（.xlsx）或 CSV 文件。
ji-file-old-excel = 这是旧版 Excel（.xls）文件。请在 Excel 里“另存为”.xlsx 或 CSV 后再上传。
ji-file-bad-xlsx = 这个 Excel 文件打不开，可能已损坏（{ $detail }）。请重新保存后再上传。
ji-file-no-title-column = 找不到岗位名称这一列（可以叫“岗位”“职位”“岗位名称”“招聘岗位”或 title）。第一行是：{ $detail }
ji-file-no-employer-column = 找不到招聘单位这一列（可以叫“单位”“公司”“企业”“用工单位”“招聘单位”或 employer）。现有的列：{ $detail }
ji-file-unreadable = 无法读取文件：{ $detail }
