## 工作人员面板：岗位审核页面。

panel-nav-review = 岗位审核
panel-review-count = 有 { $count } 个岗位等待审核（有标记的排在前面）。
panel-review-no-flags = 没有筛查标记。
panel-review-registration = 统一社会信用代码
panel-review-verified = 已认证单位
panel-review-unverified = 单位未认证
panel-review-submitted = 提交时间
panel-review-owner = 提交人 { $owner }
panel-review-approve = 通过并发布
panel-review-reason = 给用人单位的理由
panel-review-reject = 退回
panel-review-edit = 修改
panel-review-edit-title = 修改：{ $title }
panel-review-status = 状态：{ $status }
panel-review-save = 保存并重新筛查
panel-review-back = 返回审核队列
panel-review-saved = 已保存，岗位已重新筛查。
panel-review-done-approved = 已通过并发布，正在通知用人单位。
panel-review-done-rejected = 已退回，正在把理由告知用人单位。
panel-review-done-edited = 已保存。
panel-review-done-gone = 这个岗位已不在审核中（可能已有人处理），没有做任何修改。
panel-review-bad-reason = 请填写用人单位可以照着修改的理由：{ $why }
panel-review-bad-field = { $field }：{ $why }
