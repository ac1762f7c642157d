## The staff panel's Job review page.

panel-nav-review = Job review
panel-review-count = { $count ->
    [one] 1 posting waits for review (flagged ones first).
   *[other] { $count } postings wait for review (flagged ones first).
}
panel-review-no-flags = No screening flags.
panel-review-registration = Registration no.
panel-review-verified = verified employer
panel-review-unverified = employer not verified
panel-review-submitted = Submitted
panel-review-owner = by user { $owner }
panel-review-approve = Approve and publish
panel-review-reason = Reason for the employer
panel-review-reject = Reject
panel-review-edit = Edit
panel-review-edit-title = Edit: { $title }
panel-review-status = Status: { $status }
panel-review-save = Save and screen again
panel-review-back = Back to the queue
panel-review-saved = Saved. The posting was screened again.
panel-review-done-approved = Approved and published; the employer is being told.
panel-review-done-rejected = Rejected; the employer is being told the reason.
panel-review-done-edited = Saved.
panel-review-done-gone = This posting is no longer under review (perhaps someone already handled it); nothing was changed.
panel-review-bad-reason = Please give a reason the employer can act on: { $why }
panel-review-bad-field = { $field }: { $why }
