## 工会驿站查询

st-send-location = 📍 发送我的位置
st-ask-where = 发个位置给我，我帮你找最近的工会驿站（点下面的“发送我的位置”按钮）。
    电脑上发不了位置的话，直接打区县、街道或驿站名字，比如“金水区”“文化路”。
st-location-invalid = 这个位置读不出来。请重新发一次位置，或者直接告诉我地名。
st-nearby-header = 📍 离你最近的工会驿站（{ $radius }以内）：
st-none-within = { $radius }以内没有找到工会驿站。离你最近的几个：
st-none-with-filters = 没有找到符合条件（{ $filters }）的工会驿站。可以去掉条件再看看。
st-none-at-all = 现在还没有登记开放的工会驿站。
st-no-more = 没有更多了。
st-filter-open-now = 营业中
st-btn-widen = 🔭 扩大到 { $radius }
st-btn-drop-filters = ❌ 去掉条件，看最近的驿站
st-btn-first = ⏮ 回到第一页
st-btn-district = { $district }（{ $count } 个）
st-list-count = 共 { $count } 个，第 { $page }/{ $pages } 页
st-district-header = { $district }的工会驿站：
st-hit = { $number }. { $name }
    　{ $distance } · 步行约 { $minutes } 分钟 · { $icons }
    　{ $open }
    　{ $address }
st-flag-warning = ⚠️ 最近有工友反映这里可能有问题，去之前可以先打电话问问。
st-demo-note = ℹ️ 演示数据：名称、地址和位置来自公开资料，设施和开放时间是示例，请以现场为准。
st-btn-directions = 🧭 路线
st-btn-open-now = 🟢 只看营业中
st-btn-prev = ◀ 上一页
st-btn-more = 更多 ▶
st-btn-report = 📣 报告问题
st-amenity-water = 饮水
st-amenity-microwave = 微波炉
st-amenity-charging = 充电
st-amenity-toilet = 厕所
st-amenity-rest = 休息座椅
st-amenity-ac = 空调
st-amenity-wifi = 无线网
st-amenity-first_aid = 药箱
st-amenity-umbrella = 借伞
st-amenity-reading = 阅读角
st-not-found = 没有找到这个驿站，可能已经撤销了。
st-card-title = 🏠 { $name }
st-card-status = 状态：{ $status }
st-card-address = 地址：{ $address }（{ $district }）
st-card-address-only = 地址：{ $address }
st-card-hours = 开放时间：{ $hours }
st-card-amenities = 设施：{ $amenities }
st-card-phone = 电话：{ $phone }
st-card-phone-unknown = 电话：暂未登记
st-card-union = 管理单位：{ $union }
st-card-verified = 最近核实：{ $date }
st-card-updated = 信息更新于 { $date }（还没有到现场核实）
st-temporarily-closed = ⛔ 暂停开放
st-closed-for-good = ⛔ 已关闭
st-hours-unknown = 🕘 开放时间：{ $hours }
st-open-always = 🟢 24 小时开放
st-open-until = 🟢 营业中，{ $time } 关门
st-closed-opens = 🔴 现在关门，{ $time } 开门
st-closed-now = 🔴 现在关门
st-tomorrow = 明天 { $time }
st-weekday-0 = 周一 { $time }
st-weekday-1 = 周二 { $time }
st-weekday-2 = 周三 { $time }
st-weekday-3 = 周四 { $time }
st-weekday-4 = 周五 { $time }
st-weekday-5 = 周六 { $time }
st-weekday-6 = 周日 { $time }
st-metres = { $n } 米
st-km = { $n } 公里
st-report-ask = { $name } 有什么问题？
st-report-closed = 关门了
st-report-no_water = 没有水
st-report-charging_broken = 充电坏了
st-report-other = 其他问题
st-report-ask-text = 请简单说说 { $name } 的问题（200 字以内）：
st-report-thanks = 谢谢你的反映！工会工作人员会去核实。
st-report-too-long = 说明太长了，请控制在 200 字以内再发一次。
st-report-duplicate = 你今天已经反映过这个驿站了，谢谢！工作人员会处理。
st-search-nothing = 没有找到和“{ $query }”有关的驿站。可以换个说法再发一次，发送位置找附近的，或者点下面的区县看看。
st-search-nothing-anywhere = 没有找到和“{ $query }”有关的驿站，现在也还没有登记开放的工会驿站。
st-search-found = 和“{ $query }”有关的驿站：
st-search-maybe = 没有完全对上“{ $query }”，你是不是要找：
st-search-line = { $number }. { $name }（{ $district }）
    　{ $open }
st-stats =
    驿站总数：{ $total }
    按区县：
    { $districts }
    被反映待处理：{ $flagged }
    暂停开放：{ $temporarily } · 已关闭：{ $closed }
    演示数据：{ $demo }（{ $share }）
st-flagged-none = 现在没有被反映待处理的驿站。
st-flagged-header = 被工友反映、待处理的驿站（{ $count } 个）：
st-btn-resolve = ✅ 已处理 #{ $id }
st-flag-resolved = 已标记为处理完毕。
st-flag-not-flagged = 这个驿站现在没有待处理的反映。
st-status-usage = 用法：/stations status <驿站编号> <状态>
    状态：{ $statuses }
st-status-done = 驿站 #{ $id } 的状态已改为 { $status }。
forget-item-reports = 你对驿站的反映（反映内容保留，但不再和你关联）

st-import-unsupported = 这个文件类型不能导入驿站。请发送 CSV、JSON 或 GeoJSON 文件。
st-import-too-big = 文件太大了（超过 20 MB），请分成几个文件，或者在服务器上用 `gongyou import stations` 导入。
st-import-done = 驿站导入（坐标系 { $crs }）：
