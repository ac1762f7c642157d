"""The legal knowledge base: the FAQ data is complete and cited, and workers' questions find it."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.legal import (
    ANSWER_SCORE,
    CATEGORIES,
    OFFER_SCORE,
    Citation,
    LegalEntry,
    LegalHit,
    LegalKB,
    Outcome,
    citation_text,
    default_kb,
    law_names,
    load_legal_entries,
    render,
)
from knowledge.router import CACHED_LENGTH, LANGS, Entry, Intent, IntentRouter, normalize

# How workers ask, written apart from the data: none of these is among an entry's phrasings or
# titles (checked below). Every entry has at least two Chinese and one English row.
HELD_OUT: list[tuple[str, str]] = [
    ("干了八个月都没签合同 能要双倍工资吗", "contract.no_contract"),
    ("入职三个月了公司还不跟我签劳动合同", "contract.no_contract"),
    ("worked one year no contract can get double pay", "contract.no_contract"),
    ("进厂半年了一直没签合同", "contract.no_contract"),
    ("no contract 1 year double salary", "contract.no_contract"),
    ("老板不承认我在他厂里干过活", "contract.proof"),
    ("没签合同怎么证明是这家公司的员工", "contract.proof"),
    ("how prove i worked there without contract", "contract.proof"),
    ("老板说我是临时帮忙的 不算员工", "contract.proof"),
    ("在厂里干了十年了能签无固定期限合同吗", "contract.open_ended"),
    ("已经签了两次合同 第三次要签什么合同", "contract.open_ended"),
    ("what is open ended labour contract", "contract.open_ended"),
    ("连续签了两次合同了 下次能签长期的吗", "contract.open_ended"),
    ("进厂要交五百块押金合法吗", "contract.deposit_id"),
    ("公司把我的身份证扣着不还", "contract.deposit_id"),
    ("company keep my id card and deposit", "contract.deposit_id"),
    ("上班第一天就让交三百押金", "contract.deposit_id"),
    ("公司要把我调到外地 不去就开除", "contract.change"),
    ("突然给我降了一千块工资没跟我商量", "contract.change"),
    ("boss change my job and cut salary", "contract.change"),
    ("不同意调岗公司就说我旷工", "contract.change"),
    ("我是钟点工 每天干三个小时 有什么权利", "contract.part_time"),
    ("做小时工老板说不要就不要了 有补偿吗", "contract.part_time"),
    ("hourly part time job what rights", "contract.part_time"),
    ("非全日制的工资多久结一次", "contract.part_time"),
    ("签一年合同试用期六个月合法吗", "probation.length"),
    ("试用期可以延长到半年吗", "probation.length"),
    ("probation 6 month for 1 year contract", "probation.length"),
    ("两年的合同试用期三个月 超了吗", "probation.length"),
    ("试用期只给转正工资的一半 合法吗", "probation.pay"),
    ("试用期公司不给买社保", "probation.pay"),
    ("probation salary only 60 percent legal", "probation.pay"),
    ("试用期工资可以低于最低工资吗", "probation.pay"),
    ("试用期第二个月老板说我不合适让我走", "probation.dismissal"),
    ("还在试用期就被辞退了 有赔偿吗", "probation.dismissal"),
    ("fired during probation period any money", "probation.dismissal"),
    ("试用期被说不符合录用条件 辞退了", "probation.dismissal"),
    ("想先找人调解一下 劳动纠纷去哪调解", "dispute.mediation"),
    ("调解协议签了公司不履行", "dispute.mediation"),
    ("how does mediation work for labour dispute", "dispute.mediation"),
    ("劳动纠纷能先调解吗", "dispute.mediation"),
    ("劳动仲裁在哪里申请 要花钱吗", "dispute.arbitration"),
    ("想申请仲裁 申请书不会写", "dispute.arbitration"),
    ("how apply labour arbitration", "dispute.arbitration"),
    ("怎么去仲裁委告老板", "dispute.arbitration"),
    ("被辞退一年多了还能仲裁吗", "dispute.time_limit"),
    ("三年前欠的工资还能要回来吗", "dispute.time_limit"),
    ("is it too late to claim after 2 years", "dispute.time_limit"),
    ("被开除两年了还能申请仲裁吗", "dispute.time_limit"),
    ("仲裁立案以后多久出结果", "dispute.duration"),
    ("仲裁两个月了还没下裁决", "dispute.duration"),
    ("how long labour arbitration takes", "dispute.duration"),
    ("仲裁一般要多少天才裁决", "dispute.duration"),
    ("仲裁赢了 公司还能去法院起诉吗", "dispute.final_award"),
    ("一裁终局的案子公司不服怎么办", "dispute.final_award"),
    ("company can appeal arbitration award", "dispute.final_award"),
    ("仲裁裁决公司不履行 怎么强制执行", "dispute.final_award"),
    ("对仲裁结果不满意 能去法院告吗", "dispute.lawsuit"),
    ("仲裁输了还能上法院吗", "dispute.lawsuit"),
    ("i lost arbitration can i go to court", "dispute.lawsuit"),
    ("仲裁结果不服 多少天内去法院", "dispute.lawsuit"),
    ("打劳动官司 证据要谁来出", "dispute.evidence"),
    ("偷偷录的音能当证据吗", "dispute.evidence"),
    ("who has burden of proof labour case", "dispute.evidence"),
    ("考勤记录都在公司手里 我拿不到怎么办", "dispute.evidence"),
    ("工会能不能帮我打官司", "aid.union"),
    ("工会有没有免费的律师", "aid.union"),
    ("can the union give me lawyer", "aid.union"),
    ("工会可以帮我跟老板谈吗", "aid.union"),
    ("维权要打什么电话", "aid.hotlines"),
    ("12351是干嘛的", "aid.hotlines"),
    ("what phone number for worker help", "aid.hotlines"),
    ("12348和12333有什么区别", "aid.hotlines"),
    ("没钱请律师 怎么申请法律援助", "aid.legal_aid"),
    ("农民工讨薪能找免费律师吗", "aid.legal_aid"),
    ("i have no money for lawyer", "aid.legal_aid"),
    ("法律援助要开经济困难证明吗", "aid.legal_aid"),
    ("where i can get free lawyer", "aid.legal_aid"),
    ("怀孕三个月公司要辞退我", "women.pregnancy"),
    ("知道我怀孕了就给我降工资", "women.pregnancy"),
    ("company fire me because i am pregnant", "women.pregnancy"),
    ("孕期公司把我调到别的岗位还降薪", "women.pregnancy"),
    ("pregnant boss want fire me", "women.pregnancy"),
    ("生孩子能休多少天产假", "women.maternity_leave"),
    ("产假期间工资谁给发", "women.maternity_leave"),
    ("how long maternity leave in china", "women.maternity_leave"),
    ("难产产假能多几天", "women.maternity_leave"),
    ("孩子八个月 还让我上夜班", "women.breastfeeding"),
    ("哺乳期每天能有一个小时喂奶吗", "women.breastfeeding"),
    ("breastfeeding mother night shift allowed", "women.breastfeeding"),
    ("哺乳期单位安排我上夜班", "women.breastfeeding"),
    ("去医院产检公司算我请事假扣钱", "women.prenatal"),
    ("产检的时间算不算上班时间", "women.prenatal"),
    ("pregnancy check up they cut my pay", "women.prenatal"),
    ("产检请假算病假还是事假", "women.prenatal"),
    ("我是派遣工 工资比正式工少一截", "dispatch.equal_pay"),
    ("派遣公司每个月扣我两百管理费", "dispatch.equal_pay"),
    ("dispatch worker paid less than regular staff", "dispatch.equal_pay"),
    ("派遣的和正式的干一样的活 钱少很多", "dispatch.equal_pay"),
    ("干了五年还是派遣工 能转正吗", "dispatch.positions"),
    ("生产线上全是派遣工 合法吗", "dispatch.positions"),
    ("agency worker for many years can become permanent", "dispatch.positions"),
    ("一直用劳务派遣工干主业合法吗", "dispatch.positions"),
    ("派遣工受伤了 该找派遣公司还是厂里", "dispatch.responsible"),
    ("被厂里退回派遣公司 没活干有工资吗", "dispatch.responsible"),
    ("agency worker who is my employer", "dispatch.responsible"),
    ("派遣公司不发工资 能找用工单位吗", "dispatch.responsible"),
    ("我是美团骑手 跟平台算劳动关系吗", "platform.relationship"),
    ("站点让我们注册个体户才能跑单", "platform.relationship"),
    ("is delivery rider employee of meituan", "platform.relationship"),
    ("跑外卖的算不算公司员工", "platform.relationship"),
    ("送外卖的路上摔伤了 平台管不管", "platform.injury"),
    ("骑手受伤了有职业伤害保障吗", "platform.injury"),
    ("rider crash while delivering who pays hospital", "platform.injury"),
    ("骑手跑单被车撞了 平台给赔吗", "platform.injury"),
    ("送餐超时一次罚二十块 合理吗", "platform.algorithm"),
    ("平台无缘无故封了我的号", "platform.algorithm"),
    ("app fine me for late delivery", "platform.algorithm"),
    ("送餐超时被扣钱 能申诉吗", "platform.algorithm"),
    ("送外卖一天跑十四个小时 没时间休息", "platform.rest"),
    ("过年跑单平台有没有加钱", "platform.rest"),
    ("riders have right to rest", "platform.rest"),
    ("骑手连续跑单好几个小时不让休息", "platform.rest"),
    ("周末加班一天应该给多少加班费", "overtime.pay"),
    ("天天加班 老板一分加班费都不给", "overtime.pay"),
    ("how much overtime pay on weekend", "overtime.pay"),
    ("五一加班三天给多少钱", "overtime.pay"),
    ("work overtime every night no extra money", "overtime.pay"),
    ("每天上班十二个小时 这合法吗", "overtime.hours"),
    ("厂里天天逼着加班到晚上十点", "overtime.hours"),
    ("working 13 hours a day is it legal", "overtime.hours"),
    ("我们一个月加班八十个小时", "overtime.hours"),
    ("加班不给钱 只说给调休", "overtime.comp_time"),
    ("国庆加班公司说用调休抵", "overtime.comp_time"),
    ("they give me day off instead of overtime money", "overtime.comp_time"),
    ("周六加班了公司只给补休", "overtime.comp_time"),
    ("我们是计件的 晚上加班有没有加班费", "overtime.piece_rate"),
    ("按件算工资 周末干活算加班吗", "overtime.piece_rate"),
    ("piece rate worker overtime pay", "overtime.piece_rate"),
    ("按件计钱的周日干活有加班费吗", "overtime.piece_rate"),
    ("干了三年了 每年有几天年假", "overtime.annual_leave"),
    ("年假没休完公司要给钱吗", "overtime.annual_leave"),
    ("how many days annual leave i get", "overtime.annual_leave"),
    ("离职了今年的年假还没休 能折钱吗", "overtime.annual_leave"),
    ("一个月三十天天天上班没休息", "overtime.rest_day"),
    ("一周干七天 一天都不放假", "overtime.rest_day"),
    ("work every day no day off whole month", "overtime.rest_day"),
    ("厂里一个月只放一天假", "overtime.rest_day"),
    ("在车间干活手被机器夹伤 算工伤吗", "injury.what_counts"),
    ("上班时间搬货把腰扭了 算不算工伤", "injury.what_counts"),
    ("hurt my hand on machine at work is it injury", "injury.what_counts"),
    ("在车间被烫伤了现在该怎么办", "injury.first_steps"),
    ("干活时受了伤 接下来要做哪些事", "injury.first_steps"),
    ("cut my finger at work today what should i do now", "injury.first_steps"),
    ("在工厂干活被砸伤了 算工伤吧", "injury.what_counts"),
    ("下班回家路上被电动车撞了 算工伤吗", "injury.commute"),
    ("早上上班路上出车祸了 对方全责", "injury.commute"),
    ("car hit me on way home from work", "injury.commute"),
    ("下班骑车回家被车撞 交警说对方主要责任", "injury.commute"),
    ("受伤都一个月了 公司还不给申请工伤", "injury.apply"),
    ("工伤认定多长时间内要申请", "injury.apply"),
    ("company not apply injury for me what to do", "injury.apply"),
    ("工伤认定一年内自己去申请可以吗", "injury.apply"),
    ("申请工伤认定需要准备哪些材料", "injury.materials"),
    ("没签合同受伤了能认定工伤吗", "injury.materials"),
    ("what document need for injury claim", "injury.materials"),
    ("工伤认定的申请表去哪里领", "injury.materials"),
    ("伤好了要去做伤残鉴定吗", "injury.assessment"),
    ("伤残等级评几级怎么评", "injury.assessment"),
    ("how to get my injury disability grade", "injury.assessment"),
    ("对伤残鉴定结果不服怎么办", "injury.assessment"),
    ("工伤九级能赔多少钱", "injury.benefits"),
    ("工伤了能拿哪些补助", "injury.benefits"),
    ("what money can i get for work injury", "injury.benefits"),
    ("工伤十级伤残能拿多少个月工资", "injury.benefits"),
    ("我在工地摔断了腿老板不管", "injury.no_insurance"),
    ("公司没有给我买工伤保险 受伤了谁来赔", "injury.no_insurance"),
    ("老板没买保险 我干活受伤了", "injury.no_insurance"),
    ("no insurance got hurt at work who pay", "injury.no_insurance"),
    ("小厂没给我上保险 手指被切了 老板不赔", "injury.no_insurance"),
    ("i fell from scaffold at site boss ignore me", "injury.no_insurance"),
    ("工伤在家休养 老板停发工资了", "injury.stop_work"),
    ("工伤住院期间工资怎么发", "injury.stop_work"),
    ("no salary while recovering from injury", "injury.stop_work"),
    ("停工留薪期最长多久", "injury.stop_work"),
    ("干了两年公司一直不给交社保", "insurance.must_enroll"),
    ("我是农民工 公司说不用给我交社保", "insurance.must_enroll"),
    ("company never pay my social insurance", "insurance.must_enroll"),
    ("农民工也要交社保吗", "insurance.must_enroll"),
    ("入职时签了自愿放弃社保 现在还能要吗", "insurance.waiver"),
    ("公司把社保钱直接加到工资里了", "insurance.waiver"),
    ("i signed paper give up insurance", "insurance.waiver"),
    ("老板让签不交社保的承诺书", "insurance.waiver"),
    ("怎么用手机查公司有没有交社保", "insurance.check"),
    ("想查一下我的社保交了几个月", "insurance.check"),
    ("how can i check my social insurance", "insurance.check"),
    ("在哪里能查到社保缴费记录", "insurance.check"),
    ("how to check if company pay my pension", "insurance.check"),
    ("公司不交社保去哪里举报", "insurance.complaint"),
    ("想让公司补缴社保怎么投诉", "insurance.complaint"),
    ("where report company not pay insurance", "insurance.complaint"),
    ("社保断缴了好几个月 去哪里投诉", "insurance.complaint"),
    ("公司不交社保 我辞职能拿补偿吗", "insurance.resign_claim"),
    ("因为没交社保离职 辞职信怎么写", "insurance.resign_claim"),
    ("quit because no social insurance get severance", "insurance.resign_claim"),
    ("以不交社保为理由辞职能拿经济补偿吗", "insurance.resign_claim"),
    ("我月工资六千 评了十级能拿多少", "injury.grade_pay"),
    ("工伤评了九级 伤残补助金怎么算", "injury.grade_pay"),
    ("what is the one time disability payment for grade 9", "injury.grade_pay"),
    ("工伤三级伤残 每个月的津贴有多少", "injury.grade_1_4"),
    ("工伤评了四级 以后谁给我发钱", "injury.grade_1_4"),
    ("grade 2 disability do i get money every month", "injury.grade_1_4"),
    ("老公评了五级伤残 厂里说没活给他干", "injury.grade_5_6"),
    ("六级伤残 能不能和厂里解除关系拿补助", "injury.grade_5_6"),
    ("grade 5 disability company has no job for me", "injury.grade_5_6"),
    ("七级伤残 合同到期 公司该给多少钱", "injury.grade_7_10"),
    ("工伤九级 自己提出离职 补助有哪些", "injury.grade_7_10"),
    ("grade 9 disability and my contract ends what money", "injury.grade_7_10"),
    ("丈夫在工地出事故去世了 怎么赔", "injury.death"),
    ("我哥在工地上摔下来死了 能赔多少钱", "injury.death"),
    ("worker died at factory how much compensation for family", "injury.death"),
    ("停工留薪期一年到了 还要继续治疗怎么办", "injury.leave_extend"),
    ("工伤了生活不能自理 护理费谁给", "injury.leave_extend"),
    ("leave for work accident almost over can i extend", "injury.leave_extend"),
    ("工伤医疗费公司一直拖着不给报", "injury.medical"),
    ("工伤去外地医院治疗 车费住宿能报吗", "injury.medical"),
    ("company made me pay hospital bill after work accident", "injury.medical"),
    ("对伤残等级有意见 怎么重新评", "injury.regrade"),
    ("伤残鉴定结果我觉得太低了 想重新鉴定", "injury.regrade"),
    ("my condition worse after assessment can i reassess", "injury.regrade"),
    ("工伤期间公司要裁掉我", "injury.fired"),
    ("工伤还在休养 公司发了解除合同的通知", "injury.fired"),
    ("they want to dismiss me while on injury leave", "injury.fired"),
    ("天天接触油漆 得了白血病 是职业病吗", "injury.occupational"),
    ("在矿上干了多年 查出尘肺 怎么办", "injury.occupational"),
    ("how to get diagnosed occupational disease", "injury.occupational"),
    ("我在公司干了三年 生病能休多久", "insurance.sick_leave"),
    ("工作八年了 生病请假最多能请多久", "insurance.sick_leave"),
    ("medical period after 15 years working", "insurance.sick_leave"),
    ("病假工资能不能低于最低工资", "insurance.sick_pay"),
    ("请了两个月病假 公司一分工资都没发", "insurance.sick_pay"),
    ("is sick leave paid in china", "insurance.sick_pay"),
    ("被第三方撞伤了 工伤和民事赔偿怎么拿", "injury.third_party"),
    ("被客户打伤了 打人的要赔 工伤也能报吗", "injury.third_party"),
    ("hit by car at work can i claim from driver and insurance fund", "injury.third_party"),
    ("超过退休年龄在工厂干活受伤", "injury.site_older"),
    ("六十二岁在工厂上班受伤了 能认定工伤吗", "injury.site_older"),
    ("over retirement age injured at factory", "injury.site_older"),
    ("干了五年被辞退 能拿多少补偿", "dismissal.compensation"),
    ("公司倒闭了 经济补偿怎么算", "dismissal.compensation"),
    ("how much severance for 5 years", "dismissal.compensation"),
    ("合同到期公司不续签 有补偿吗", "dismissal.compensation"),
    ("公司没有理由就把我开了 能赔多少", "dismissal.unlawful"),
    ("无缘无故被开除 能要双倍赔偿吗", "dismissal.unlawful"),
    ("fired for no reason how much compensation", "dismissal.unlawful"),
    ("被公司违法开除了 怎么要赔偿", "dismissal.unlawful"),
    ("辞退没提前一个月通知 要多赔一个月吗", "dismissal.notice"),
    ("公司说我不胜任工作要辞退我", "dismissal.notice"),
    ("fired without 30 days notice", "dismissal.notice"),
    ("公司说客观情况变了 要和我解除合同", "dismissal.notice"),
    ("厂里要裁掉三十个人 有补偿吗", "dismissal.redundancy"),
    ("公司经营困难要裁员", "dismissal.redundancy"),
    ("factory layoff many workers compensation", "dismissal.redundancy"),
    ("厂子效益不好 要裁掉一半的人", "dismissal.redundancy"),
    ("got laid off what compensation", "dismissal.redundancy"),
    ("我生病住院 公司要跟我解除合同", "dismissal.protected"),
    ("还有三年就退休了 公司要辞退我", "dismissal.protected"),
    ("can they fire me while on sick leave", "dismissal.protected"),
    ("我在医疗期内 公司可以辞退我吗", "dismissal.protected"),
    ("老板昨天说我明天不用来了", "dismissal.verbal"),
    ("老板叫我自己写辞职信 不然就开除", "dismissal.verbal"),
    ("boss said tomorrow dont come to work", "dismissal.verbal"),
    ("主管说你明天别来了 也没给任何书面的东西", "dismissal.verbal"),
    ("公司说我严重违纪 把我开除了", "dismissal.rules"),
    ("迟到三次就被开除了 合法吗", "dismissal.rules"),
    ("fired for breaking company rule", "dismissal.rules"),
    ("厂规我从来没见过 却说我违反厂规开除我", "dismissal.rules"),
    ("我想辞职 要提前几天跟老板说", "resign.notice"),
    ("老板不批辞职 我能直接走吗", "resign.notice"),
    ("how many days notice to quit my job", "resign.notice"),
    ("试用期辞职要提前几天", "resign.notice"),
    ("公司拖欠工资 我辞职能要补偿吗", "resign.immediate"),
    ("老板逼我们冒险作业 可以马上走吗", "resign.immediate"),
    ("quit because company not pay salary can get compensation", "resign.immediate"),
    ("老板让我冒着危险干活 我能立刻走人吗", "resign.immediate"),
    ("辞职以后老板不给结最后一个月工资", "resign.final_pay"),
    ("离职了 剩下的工资什么时候能拿到", "resign.final_pay"),
    ("boss not give my last salary after i quit", "resign.final_pay"),
    ("离职的时候工资要一次结清吗", "resign.final_pay"),
    ("公司不给我开离职证明 新单位要", "resign.certificate"),
    ("辞职后公司不给转社保关系", "resign.certificate"),
    ("company refuse give me resignation letter proof", "resign.certificate"),
    ("离职证明单位一直拖着不开", "resign.certificate"),
    ("签了竞业协议 离职后能去同行上班吗", "resign.noncompete"),
    ("普通工人也要签竞业限制吗", "resign.noncompete"),
    ("non compete after i leave company", "resign.noncompete"),
    ("竞业限制期间公司没给补偿", "resign.noncompete"),
    ("老板拖欠三个月工资怎么办", "wages.arrears"),
    ("老板欠了我两个月工资一直拖着", "wages.arrears"),
    ("厂里半年没发工资了咋办", "wages.arrears"),
    ("my boss not pay me 3 month salary", "wages.arrears"),
    ("师傅 我们厂四个月没发工资了 怎么要", "wages.arrears"),
    ("company 2 month no salary what i do", "wages.arrears"),
    ("要工资需要准备哪些证据啊", "wages.evidence"),
    ("工资都是老板微信转的 能当证据吗", "wages.evidence"),
    ("what proof i need for unpaid salary", "wages.evidence"),
    ("没有工资条 怎么证明老板欠我多少钱", "wages.evidence"),
    ("怎么打12333投诉老板不发工资", "wages.complaint"),
    ("想去劳动监察投诉欠薪 怎么弄", "wages.complaint"),
    ("where can i complain boss no salary", "wages.complaint"),
    ("劳动监察大队能帮忙要工资吗", "wages.complaint"),
    ("老板写了欠条 到期了还是不给钱", "wages.payment_order"),
    ("怎么去法院申请支付令", "wages.payment_order"),
    ("boss write IOU but still no pay", "wages.payment_order"),
    ("有欠条可以直接去法院要钱吗", "wages.payment_order"),
    ("我在工地干了半年 包工头卷钱跑了", "wages.construction"),
    ("包工头说开发商没给钱 工钱一直拖着", "wages.construction"),
    ("construction foreman run away with our salary", "wages.construction"),
    ("我们十几个工友在工地干完活 工头不见了", "wages.construction"),
    ("迟到一次扣五十 合法吗", "wages.deduction"),
    ("老板动不动罚款从工资里扣", "wages.deduction"),
    ("company take money from my salary as fine", "wages.deduction"),
    ("做错一点事就扣两百 这样扣工资合法吗", "wages.deduction"),
    ("boss fine me 200 for being late", "wages.deduction"),
    ("我们这里的最低工资标准是多少", "wages.minimum"),
    ("一个月工资才一千五 低于最低工资了吧", "wages.minimum"),
    ("is my pay lower than minimum wage", "wages.minimum"),
    ("最低工资里面包括加班费吗", "wages.minimum"),
    ("老板跑路了 电话也打不通 能报警吗", "wages.criminal"),
    ("老板明明有钱就是不给工资 能告他坐牢吗", "wages.criminal"),
    ("can i call police boss not pay salary", "wages.criminal"),
    ("老板转移财产故意不发工资 能追究刑事责任吗", "wages.criminal"),
    ("前两年公司都没交社保 现在能让它补上吗", "insurance.arrears"),
    ("欠缴的社保补上以后 滞纳金要我出一半吗", "insurance.arrears"),
    ("employer never paid insurance for 2 years can they pay it now", "insurance.arrears"),
    ("公司只按当地最低标准给我交社保 我工资高多了", "insurance.low_base"),
    ("社保缴费基数报得比我工资少一半", "insurance.low_base"),
    ("company reports lower wage for my insurance base", "insurance.low_base"),
    ("离职三个月社保没交 以后有什么影响", "insurance.gap"),
    ("辞职以后社保断了半年 对以后退休有影响吗", "insurance.gap"),
    ("stopped paying social insurance after quitting is it bad", "insurance.gap"),
    ("从老家到苏州上班了 之前的社保怎么转", "insurance.transfer"),
    ("在三个省交过社保 以后在哪里领退休金", "insurance.transfer"),
    ("changing city what to do with my social insurance", "insurance.transfer"),
    ("上班一年了公司一直没给我交住房公积金", "insurance.hpf_pay"),
    ("老板说我们厂不用交住房公积金", "insurance.hpf_pay"),
    ("company refuses to pay my housing fund", "insurance.hpf_pay"),
    ("不干了 公积金里的钱怎么拿出来", "insurance.hpf_withdraw"),
    ("租房子可以用公积金付房租吗", "insurance.hpf_withdraw"),
    ("how can i take my housing fund out", "insurance.hpf_withdraw"),
    ("我是1980年的女工 现在几岁能退休", "insurance.retire_age"),
    ("1968年出生的男职工延迟几个月退休", "insurance.retire_age"),
    ("what is my retirement age after the new rule", "insurance.retire_age"),
    ("养老保险交了十三年 退休时不够怎么办", "insurance.min_years"),
    ("2032年退休最少要交多少年社保", "insurance.min_years"),
    ("minimum years of social insurance for pension", "insurance.min_years"),
    ("退休以后每个月养老金大概能拿多少", "insurance.pension_calc"),
    ("个人账户的钱退休后怎么发", "insurance.pension_calc"),
    ("how is the basic pension worked out", "insurance.pension_calc"),
    ("公司倒闭了 失业金能领多少钱", "insurance.unemp_benefit"),
    ("交了六年失业保险 能领多长时间失业金", "insurance.unemp_benefit"),
    ("lost my job how to get unemployment insurance money", "insurance.unemp_benefit"),
    ("我主动辞的职 能申请失业金吗", "insurance.unemp_resign"),
    ("因为公司拖欠工资我辞职了 能领失业金吗", "insurance.unemp_resign"),
    ("if i resign do i get unemployment benefit", "insurance.unemp_resign"),
    ("失业期间医保费谁来交", "insurance.unemp_medical"),
    ("失业金领完以后医保怎么办", "insurance.unemp_medical"),
    ("who pays my medical insurance when im unemployed", "insurance.unemp_medical"),
    ("生完孩子生育保险能报销多少钱", "insurance.maternity"),
    ("生孩子的医疗费生育保险能报吗", "insurance.maternity"),
    ("how to get maternity insurance money after birth", "insurance.maternity"),
    ("送外卖的怎么自己交社保", "insurance.flexible"),
    ("我在平台上接单 没有单位 养老保险怎么交", "insurance.flexible"),
    ("ride hailing driver how to pay social insurance", "insurance.flexible"),
    ("仲裁书下来三个月了 公司还是不付钱", "dispute.enforce"),
    ("法院判了 老板就是拖着不付钱 怎么办", "dispute.enforce"),
    ("arbitration award done but boss still refuse to pay", "dispute.enforce"),
    ("厂里老板突然跑了 我们三个月工资没着落", "dispute.boss_fled"),
    ("老板跑路了 工资还能要回来吗", "dispute.boss_fled"),
    ("our boss ran off and nobody pays us", "dispute.boss_fled"),
    ("合同上写提前辞职要赔五千违约金 要给吗", "contract.penalty"),
    ("公司说我没干满两年走人要交违约金", "contract.penalty"),
    ("contract says i pay 5000 if i quit early", "contract.penalty"),
    ("公司送我去学了三个月技术 现在想走要赔多少", "contract.training"),
    ("培训完签了五年服务期 干了两年想辞职", "contract.training"),
    ("company sent me to training now i want to leave do i pay", "contract.training"),
    ("组长老是趁没人摸我的手", "women.harassment"),
    ("经理天天给我发黄色图片", "women.harassment"),
    ("my supervisor keeps touching me at work", "women.harassment"),
    ("走的时候被逼着签了工资已结清 其实加班费没给", "dispute.waiver"),
    ("离职签了放弃补偿的协议 现在还能反悔吗", "dispute.waiver"),
    ("i signed that all salary is paid but its not true", "dispute.waiver"),
    ("我们厂被别的公司收购了 以前的工龄还算吗", "contract.merger"),
    ("公司换了新老板 要我们重新签合同", "contract.merger"),
    ("our company was bought does my contract still count", "contract.merger"),
    ("厂子要从深圳搬到江西 我不想跟着去", "dismissal.relocation"),
    ("公司搬到一百公里外 不去的话有补偿吗", "dismissal.relocation"),
    ("factory moving far away i cant go can i get compensation", "dismissal.relocation"),
    ("公司宣布破产了 欠我们的工资还能拿到吗", "dismissal.closure"),
    ("厂子破产清算 职工工资排第几", "dismissal.closure"),
    ("my company is bankrupt will i get my wages", "dismissal.closure"),
    ("领导天天给我穿小鞋 就是想让我自己走", "dismissal.forced_quit"),
    ("公司不给我派活 逼我主动辞职", "dismissal.forced_quit"),
    ("company trying to make me quit so they dont pay severance", "dismissal.forced_quit"),
    ("考核排名最后 公司要给我降薪调岗", "contract.demotion"),
    ("说我业绩不好 把我从主管降成普工", "contract.demotion"),
    ("demoted and salary cut because of bad kpi", "contract.demotion"),
    ("派遣公司老板跑了 厂里说工资已经给派遣公司了", "dispatch.agency_gone"),
    ("劳务派遣公司突然失联 三个月工资没发", "dispatch.agency_gone"),
    ("agency that sent me to factory disappeared with my pay", "dispatch.agency_gone"),
    ("签完合同公司说统一保管 不给我", "contract.copy"),
    ("入职的时候让我在一张什么都没写的合同上签名", "contract.copy"),
    ("they kept both contracts and gave me nothing", "contract.copy"),
    ("我们车间二十多个人都被拖欠工资 怎么一起去仲裁", "dispute.collective"),
    ("几十个工友想一起去讨薪 要怎么弄", "dispute.collective"),
    ("30 workers all unpaid how we claim together", "dispute.collective"),
]

# Messages that are not labour-law questions: the FAQ must not answer them.
OFF_TOPIC = [
    "附近有驿站吗",
    "找工作",
    "hello",
    "今天天气怎么样",
    "我想找个对象",
    "哪里能充电",
    "邻居家的狗半夜一直叫怎么办",
    "where can i eat",
    "i want a girlfriend",
    "谢谢你",
]

WAGE_ARREARS = "老板拖欠三个月工资怎么办"


@pytest.fixture(scope="module")
def entries() -> list[LegalEntry]:
    return load_legal_entries()


@pytest.fixture(scope="module")
def kb() -> LegalKB:
    return default_kb()


def _entry(
    entry_id: str,
    *,
    category: str = "wages",
    title: dict[str, str] | None = None,
    answer: dict[str, str] | None = None,
    phrases: dict[str, tuple[str, ...]] | None = None,
    cites: tuple[Citation, ...] = (Citation("LCL", "30"),),
    related: tuple[str, ...] = (),
) -> LegalEntry:
    return LegalEntry(
        id=entry_id,
        category=category,
        title=title if title is not None else {"zh": "标题", "en": "Title"},
        answer=answer if answer is not None else {"zh": "回答", "en": "Answer"},
        phrases=phrases if phrases is not None else {"zh": ("问法",), "en": ("asking",)},
        cites=cites,
        related=related,
    )


FAQ_TOML = """
[[faq]]
id = "{id}"
category = "{category}"
related = [{related}]
cites = [{{ law = "{law}", article = "30" }}]
title_zh = "标题"
title_en = "Title"
answer_zh = "回答"
answer_en = "{answer_en}"
zh = ["问法"]
en = ["asking"]
"""


def _write(path: Path, **values: str) -> Path:
    defaults = {"id": "x.one", "category": "wages", "related": "", "law": "LCL", "answer_en": "A"}
    path.write_text(FAQ_TOML.format(**(defaults | values)), encoding="utf-8")
    return path


# --- the shipped data ---------------------------------------------------------------------


def test_the_faq_has_at_least_sixty_entries(entries: list[LegalEntry]) -> None:
    assert len(entries) >= 60


def test_every_category_has_entries_and_every_entry_has_a_known_category(
    entries: list[LegalEntry],
) -> None:
    used = {e.category for e in entries}
    assert used == set(CATEGORIES)


def test_every_entry_has_ten_chinese_and_five_english_phrasings(
    entries: list[LegalEntry],
) -> None:
    short = [e.id for e in entries if len(e.phrases["zh"]) < 10 or len(e.phrases["en"]) < 5]
    assert short == []


def test_every_entry_cites_at_least_one_article_of_a_known_law(entries: list[LegalEntry]) -> None:
    laws = law_names("zh")
    for entry in entries:
        assert entry.cites, entry.id
        assert all(c.law in laws for c in entry.cites), entry.id


def test_every_entry_names_at_least_two_related_entries_that_exist(
    entries: list[LegalEntry],
) -> None:
    ids = {e.id for e in entries}
    for entry in entries:
        assert len(entry.related) >= 2, entry.id
        assert set(entry.related) <= ids - {entry.id}, entry.id


def test_every_entry_has_a_title_and_a_short_answer_in_both_languages(
    entries: list[LegalEntry],
) -> None:
    for entry in entries:
        for lang in LANGS:
            assert entry.title.get(lang, "").strip(), (entry.id, lang)
            assert entry.answer.get(lang, "").strip(), (entry.id, lang)
        assert len(entry.answer["zh"]) <= 600, entry.id


def test_entry_ids_fit_in_callback_data(entries: list[LegalEntry]) -> None:
    for entry in entries:
        assert len(entry.id.encode()) <= 24, entry.id
        assert entry.id.startswith(f"{entry.category}."), entry.id


def test_no_phrasing_belongs_to_two_entries(entries: list[LegalEntry]) -> None:
    owners: dict[str, set[str]] = {}
    for entry in entries:
        for lang in LANGS:
            for phrase in entry.phrases[lang]:
                owners.setdefault(normalize(phrase), set()).add(entry.id)
    assert {p: o for p, o in owners.items() if len(o) > 1} == {}


def test_every_phrasing_finds_its_own_entry_first(kb: LegalKB) -> None:
    lost = [
        (entry.id, phrase)
        for entry in kb.entries
        for lang in LANGS
        for phrase in entry.phrases[lang]
        if kb.search(phrase, limit=1)[0].entry.id != entry.id
    ]
    assert lost == []


def test_law_names_exist_in_both_languages_for_the_same_laws() -> None:
    zh, en = law_names("zh"), law_names("en")
    assert zh.keys() == en.keys()
    assert zh["LCL"] == "劳动合同法"
    assert en["LCL"] == "Labour Contract Law"


# --- loading checks ---------------------------------------------------------------------------


def test_a_duplicate_entry_id_is_refused(tmp_path: Path) -> None:
    first = _write(tmp_path / "a.toml")
    second = _write(tmp_path / "b.toml")
    with pytest.raises(ValueError, match="duplicate entry id x.one"):
        load_legal_entries([first, second])


def test_an_unknown_category_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown category"):
        load_legal_entries([_write(tmp_path / "a.toml", category="gossip")])


def test_an_unknown_law_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown law 'XYZ'"):
        load_legal_entries([_write(tmp_path / "a.toml", law="XYZ")])


def test_a_related_id_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown related"):
        load_legal_entries([_write(tmp_path / "a.toml", related='"x.missing"')])


def test_an_entry_missing_a_language_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no en answer"):
        load_legal_entries([_write(tmp_path / "a.toml", answer_en="")])


def test_an_id_too_long_for_callback_data_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="the id must be"):
        load_legal_entries([_write(tmp_path / "a.toml", id="wages." + "x" * 30)])


def test_a_valid_file_loads_its_entry(tmp_path: Path) -> None:
    [entry] = load_legal_entries([_write(tmp_path / "a.toml")])
    assert entry.id == "x.one"
    assert entry.cites == (Citation("LCL", "30"),)
    assert entry.phrases == {"zh": ("问法",), "en": ("asking",)}


# --- matching quality -------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), HELD_OUT, ids=[t for t, _ in HELD_OUT])
def test_a_worker_question_ranks_its_entry_first(kb: LegalKB, text: str, expected: str) -> None:
    hits = kb.search(text, limit=3)
    assert hits, text
    assert hits[0].entry.id == expected, [(h.entry.id, round(h.score), h.phrase) for h in hits]


def test_the_held_out_questions_are_not_copied_from_the_data(kb: LegalKB) -> None:
    known = {
        normalize(text)
        for entry in kb.entries
        for lang in LANGS
        for text in (*entry.phrases[lang], entry.title[lang])
    }
    assert [text for text, _ in HELD_OUT if normalize(text) in known] == []


def test_the_held_out_table_has_two_chinese_and_one_english_question_per_entry(
    entries: list[LegalEntry],
) -> None:
    for entry in entries:
        texts = [text for text, expected in HELD_OUT if expected == entry.id]
        assert sum(not t.isascii() for t in texts) >= 2, entry.id
        assert sum(t.isascii() for t in texts) >= 1, entry.id


@pytest.mark.parametrize("text", OFF_TOPIC)
def test_a_message_that_is_not_a_legal_question_gets_no_answer(kb: LegalKB, text: str) -> None:
    hits = kb.search(text, limit=1)
    assert not hits or hits[0].score < ANSWER_SCORE, (hits[0].entry.id, hits[0].score)


def test_a_wage_arrears_question_is_answered_with_the_wage_articles(kb: LegalKB) -> None:
    top = kb.search(WAGE_ARREARS, limit=1)[0]
    assert top.score >= ANSWER_SCORE
    assert top.entry.category == "wages"
    assert {Citation("LCL", "30"), Citation("LL", "50")} & set(top.entry.cites)


def test_a_single_word_found_in_many_entries_is_not_answered(kb: LegalKB) -> None:
    hits = kb.search("工资", limit=3)
    assert len(hits) == 3
    assert hits[0].score < ANSWER_SCORE


def test_hits_are_one_per_entry_best_first_and_at_most_the_limit(kb: LegalKB) -> None:
    hits = kb.search("公司不交社保 我想辞职 能要补偿吗", limit=5)
    assert len(hits) == 5
    assert len({h.entry.id for h in hits}) == 5
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(0.0 <= h.score <= 100.0 for h in hits)


@pytest.mark.parametrize("text", ["", "   ", "？？？", "😀😀", "\x00"])
def test_an_empty_or_noise_message_finds_nothing(kb: LegalKB, text: str) -> None:
    assert kb.search(text) == []


def test_a_zero_limit_finds_nothing(kb: LegalKB) -> None:
    assert kb.search(WAGE_ARREARS, limit=0) == []


def test_a_very_long_message_is_searched_without_error(kb: LegalKB) -> None:
    text = "老板拖欠工资 包工头跑了 " * 300 + "boss not pay " * 300
    hits = kb.search(text)
    assert 1 <= len(hits) <= 3


def test_a_phrase_typed_with_a_typo_still_finds_its_entry(kb: LegalKB) -> None:
    assert kb.search("加班废怎么算", limit=1)[0].entry.id == "overtime.pay"


# --- rendering --------------------------------------------------------------------------------


def test_a_chinese_answer_ends_with_its_legal_basis(kb: LegalKB) -> None:
    entry = kb.get("wages.arrears")
    assert entry is not None
    text = render(entry, "zh")
    assert text.startswith(entry.title["zh"])
    assert entry.answer["zh"] in text
    assert text.endswith(
        "依据：《劳动法》第50条；《劳动合同法》第30条、第85条；《劳动争议调解仲裁法》第9条"
    )


def test_an_english_answer_ends_with_its_legal_basis(kb: LegalKB) -> None:
    entry = kb.get("wages.arrears")
    assert entry is not None
    text = render(entry, "en")
    assert text.startswith(entry.title["en"])
    assert text.endswith(
        "Legal basis: Labour Law, Art. 50; Labour Contract Law, Arts. 30, 85; "
        "Labour Dispute Mediation and Arbitration Law, Art. 9"
    )


def test_a_sub_article_and_a_whole_document_are_cited_in_both_languages() -> None:
    entry = _entry("x.cite", cites=(Citation("CL", "276-1"), Citation("NEF", "")))
    assert citation_text(entry, "zh") == (
        "依据：《刑法》第276条之一；"
        "《关于维护新就业形态劳动者劳动保障权益的指导意见》（人社部发〔2021〕56号）"
    )
    assert citation_text(entry, "en") == (
        "Legal basis: Criminal Law, Art. 276-1; Guiding Opinions on Safeguarding the Labour "
        "Rights of Workers in New Forms of Employment (MOHRSS [2021] No. 56)"
    )


def test_an_entry_written_only_in_chinese_renders_for_an_english_reader() -> None:
    entry = _entry(
        "draft.7",
        title={"zh": "工地欠薪找谁"},
        answer={"zh": "找总包单位。"},
        phrases={"zh": ("工地欠薪",)},
        cites=(),
    )
    assert render(entry, "en") == "工地欠薪找谁\n\n找总包单位。"


def test_an_entry_written_only_in_english_renders_for_a_chinese_reader() -> None:
    entry = _entry("draft.8", title={"en": "Who pays"}, answer={"en": "The contractor."})
    assert render(entry, "zh") == "Who pays\n\nThe contractor.\n\n依据：《劳动合同法》第30条"


def test_an_entry_without_citations_has_no_citation_line() -> None:
    assert citation_text(_entry("draft.9", cites=()), "zh") == ""


# --- the knowledge base object ----------------------------------------------------------------


def test_entries_are_looked_up_by_id(kb: LegalKB) -> None:
    entry = kb.get("injury.apply")
    assert entry is not None
    assert entry.category == "injury"
    assert kb.get("no.such") is None


def test_entries_of_a_category_come_in_data_order(kb: LegalKB) -> None:
    wages = kb.in_category("wages")
    assert wages[0].id == "wages.arrears"
    assert {e.category for e in wages} == {"wages"}
    assert kb.in_category("gossip") == []


def test_related_lists_the_entry_s_own_related_entries_first(kb: LegalKB) -> None:
    entry = kb.get("wages.arrears")
    assert entry is not None
    related = kb.related(entry, kb.search("老板不发工资", limit=3), count=2)
    assert [e.id for e in related] == list(entry.related[:2])


def test_related_fills_up_with_other_hits_and_never_offers_the_entry_itself(kb: LegalKB) -> None:
    entry = _entry("draft.10", related=("no.such",))
    other = kb.get("wages.complaint")
    assert other is not None
    hits = [LegalHit(entry, 90.0, "问法"), LegalHit(other, 80.0, "投诉")]
    assert kb.related(entry, hits, count=3) == [other]


def test_related_respects_the_count(kb: LegalKB) -> None:
    entry = kb.get("dismissal.unlawful")
    assert entry is not None
    assert len(kb.related(entry, [], count=1)) == 1


def test_extra_entries_make_a_new_knowledge_base_that_finds_them(kb: LegalKB) -> None:
    extra = _entry(
        "draft.11",
        category="other",
        title={"zh": "外卖箱被偷了要赔吗"},
        answer={"zh": "一般不用个人全赔。"},
        phrases={"zh": ("外卖箱被偷了", "餐箱丢了要赔钱吗")},
        cites=(),
    )
    bigger = kb.with_entries([extra])
    assert bigger.get("draft.11") == extra
    assert bigger.search("我的餐箱丢了 站长让我赔钱", limit=1)[0].entry.id == "draft.11"
    assert kb.get("draft.11") is None
    assert len(bigger.entries) == len(kb.entries) + 1


def test_an_extra_entry_with_an_existing_id_replaces_it(kb: LegalKB) -> None:
    edited = _entry("wages.arrears", title={"zh": "新标题"}, answer={"zh": "新回答"})
    bigger = kb.with_entries([edited])
    assert bigger.get("wages.arrears") == edited
    assert len(bigger.entries) == len(kb.entries)


def test_the_default_knowledge_base_is_built_once() -> None:
    assert default_kb() is default_kb()


# --- the router's ranking ---------------------------------------------------------------------


def _router() -> IntentRouter:
    return IntentRouter(
        [
            Entry("a.one", Intent.legal, {"zh": ("老板不给工资", "欠薪"), "en": ()}),
            Entry("a.two", Intent.legal, {"zh": ("工资条",), "en": ()}),
            Entry("b.one", Intent.jobs, {"zh": ("找工作",), "en": ()}),
        ]
    )


def test_rank_gives_the_best_phrase_of_each_entry_best_first() -> None:
    ranked = _router().rank("老板不给工资", limit=5)
    assert [m.entry.id for m in ranked] == ["a.one", "a.two"]
    assert ranked[0].phrase == "老板不给工资"
    assert ranked[0].score > ranked[1].score


def test_rank_keeps_to_the_limit() -> None:
    assert [m.entry.id for m in _router().rank("老板不给工资", limit=1)] == ["a.one"]


def test_rank_of_an_empty_message_is_empty() -> None:
    assert _router().rank("", limit=3) == []


# --- the decision: answer, offer, hand over ----------------------------------------------------


def test_a_short_question_close_to_a_phrasing_is_answered(kb: LegalKB) -> None:
    decision = kb.decide("老板拖欠工资怎么办")

    assert decision.outcome is Outcome.answer
    assert decision.answered is not None
    assert decision.answered.id == "wages.arrears"
    assert decision.offered == ()


@pytest.mark.parametrize(
    ("story", "expected"),
    [
        ("你好，我得了重病住院，公司趁机把我开除了，说我不能上班了，我该怎么办？", "dismissal"),
        ("工厂强制加班，而且加班没有加班费，他们说我们是小时工没有加班费", "overtime"),
        ("在工地干活的时候手指被砸伤了，公司一个星期都没人理我，这个算不算工伤", "injury"),
    ],
)
def test_a_long_story_gets_an_entry_of_its_topic_answered_or_offered(
    kb: LegalKB, story: str, expected: str
) -> None:
    decision = kb.decide(story)

    assert decision.outcome in (Outcome.answer, Outcome.offer)
    shown = [decision.answered] if decision.answered else list(decision.offered)
    assert any(entry is not None and entry.category == expected for entry in shown), [
        h.entry.id for h in decision.hits
    ]


def test_a_story_only_bm25_recognises_is_answered_when_bm25_is_far_ahead(kb: LegalKB) -> None:
    story = "老板拿着我们二十多个人的工资跑了，这种人会不会坐牢"
    assert not [h for h in kb.search(story) if h.score >= OFFER_SCORE]

    decision = kb.decide(story)

    assert decision.outcome is Outcome.answer
    assert decision.answered is not None
    assert decision.answered.id == "wages.criminal"


def test_a_vague_story_bm25_only_half_recognises_is_offered_not_answered(kb: LegalKB) -> None:
    decision = kb.decide("厂里最近管理很乱，领导天天变规矩，我们这些老员工心里没底该怎么办")

    assert decision.outcome is not Outcome.answer


def test_an_offer_lists_at_most_three_entries_best_first(kb: LegalKB) -> None:
    decision = kb.decide("公司说我是学生工打小时工，加班就不给加班费，这样合法吗还能找谁")

    if decision.outcome is Outcome.offer:
        assert 1 <= len(decision.offered) <= 3
        assert decision.answered is None


@pytest.mark.parametrize(
    "text",
    [
        "房东不退押金还涨房租怎么办",
        "朋友借钱不还怎么起诉",
        "离婚了孩子抚养权归谁",
        "my landlord wont return deposit",
    ],
)
def test_a_matter_outside_labour_law_is_handed_over(kb: LegalKB, text: str) -> None:
    decision = kb.decide(text)

    assert decision.outcome is Outcome.handover
    assert decision.hits == ()


def test_rent_owed_by_the_employer_is_not_mistaken_for_a_private_matter(kb: LegalKB) -> None:
    assert kb.decide("公司宿舍房租从工资里扣，还拖欠工资不发").outcome is not Outcome.handover


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "钱",
        "欠" * 4000,
        "😀😀😀",
        "boss 不给 salary 怎么办",
        "工资拖欠３个月",
        "老闆欠薪怎麼辦",
    ],
)
def test_odd_input_gets_a_decision_never_an_error(kb: LegalKB, text: str) -> None:
    decision = kb.decide(text)

    assert decision.outcome in tuple(Outcome)
    assert len(decision.hits) <= 3 or decision.outcome is Outcome.answer


def test_traditional_characters_are_read_as_simplified(kb: LegalKB) -> None:
    simplified = kb.decide("老板拖欠工资怎么办")
    traditional = kb.decide("老闆拖欠工資怎麼辦")

    assert traditional.outcome is simplified.outcome
    assert traditional.answered == simplified.answered


def test_full_width_digits_are_read_as_ascii(kb: LegalKB) -> None:
    assert kb.decide("工资拖欠３个月").hits == kb.decide("工资拖欠3个月").hits


def test_a_tie_between_two_entries_is_offered_not_answered(kb: LegalKB) -> None:
    decision = kb.decide("单位要求我们签一个新的协议内容看不太懂不签就不让上班")

    assert decision.outcome is Outcome.offer
    assert decision.answered is None
    assert len(decision.offered) >= 2


def test_a_short_question_asked_again_is_not_weighed_again(
    kb: LegalKB, monkeypatch: pytest.MonkeyPatch
) -> None:
    question = "老板拖欠工资三个月了怎么办"
    first = kb.decide(question)
    assert first.outcome is Outcome.answer
    weighed: list[str] = []
    monkeypatch.setattr(kb, "search", lambda text, limit=3: weighed.append(text) or [])

    assert kb.decide(question) == first
    assert weighed == []
    # what was kept is what weighing again gives
    monkeypatch.undo()
    assert kb.weigh(question) == first


def test_a_long_story_is_weighed_each_time_it_comes(
    kb: LegalKB, monkeypatch: pytest.MonkeyPatch
) -> None:
    story = (
        "我在工地干了三个月，老板一直说下个月发工资，到了下个月又说再等等，"
        "现在人找不到了，电话也不接，微信也把我拉黑了，工友们都一样，我该怎么办才好"
    )
    assert len(story) > CACHED_LENGTH
    kb.decide(story)
    weighed: list[str] = []
    monkeypatch.setattr(kb, "search", lambda text, limit=3: weighed.append(text) or [])

    kb.decide(story)
    assert weighed == [story]
