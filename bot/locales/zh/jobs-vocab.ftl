## 工友 — 岗位的通用词汇（行业、用工形式、适合人群、薪资单位）和岗位卡片。每个键在 en/jobs-vocab.ftl 里都必须有对应的英文。

industry-logistics = 物流快递
industry-catering = 餐饮
industry-cleaning = 保洁环卫
industry-manufacturing = 制造普工
industry-construction = 建筑装修
industry-security = 安保
industry-domestic = 家政养老
industry-retail = 商超零售
industry-driving = 司机运输
industry-other = 其他

type-full_time = 全职
type-part_time = 兼职
type-daily = 日结零工
type-seasonal = 季节短期

tag-older = 适合大龄
tag-mothers = 宝妈/弹性时间
tag-no_experience = 无需经验
tag-no_degree = 学历不限
tag-room_board = 包吃住

unit-hour = 元/小时
unit-day = 元/天
unit-month = 元/月
unit-piece = 元/件
pay-negotiable = 面议
pay-range = { $low }-{ $high }{ $unit }
pay-one = { $amount }{ $unit }

flag-fee = 向求职者收费或要押金
flag-below_min_wage = 工资低于当地最低工资
flag-no_contact = 没有联系方式
flag-duplicate = 与已有岗位重复

status-draft = 草稿
status-pending = 待审核
status-published = 已发布
status-expired = 已过期
status-withdrawn = 已撤下
status-rejected = 未通过

job-line = { $number }. { $title } · { $employer }
    　💰 { $pay } · 📍 { $place } · { $type }
job-card-title = 💼 { $title }
job-card-employer = 单位：{ $employer }
job-card-pay = 薪资：{ $pay }
job-card-type = 用工形式：{ $type } · 行业：{ $industry }
job-card-place = 地点：{ $place }
job-card-metro = 地铁：{ $metro }
job-card-hours = 工作时间：{ $hours }
job-card-requirements = 要求：{ $requirements }
job-card-tags = 适合：{ $tags }
job-card-expires = 截止日期：{ $date }
job-card-contact = 📞 联系方式：{ $contact }
job-card-contact-hidden = 联系方式：点下面的“查看联系方式”
job-card-flags = ⚠️ 需要审核：{ $flags }
job-card-status = 状态：{ $status }
job-card-safety = 提醒：正规单位不会在入职前收取押金、培训费、体检费等任何费用；遇到请点“举报”。
