## gongyou — employers posting jobs (/post_job), their postings (/my_postings), staff review (/review_jobs).

jp-intro = 📝 Post a job
    I'll ask about the job step by step; it takes two or three minutes. Union staff review every posting before workers see it.
    Please note: employers may not ask workers for a deposit, training fee, medical-check fee or any other payment when hiring.
    Tap "Back" at any step to change the previous answer; send /cancel to stop at any time.
jp-resume = Let's continue the posting you have not submitted yet (to start over, send /cancel first).
jp-ask-emp = Step 1: What is the employer's name?
jp-ask-reg = Step 2: The employer's registration number (unified social credit code)? Tap "Skip" if you don't have it.
jp-ask-title = Step 3: What is the job title? (e.g. parcel sorter)
jp-ask-place = Step 4: Which city and district is the job in? (e.g. Zhengzhou Jinshui)
jp-ask-addr = Step 5: The street address? You can skip this.
jp-ask-metro = Step 6: The nearest metro line and station? (e.g. Line 1 Zijingshan) You can skip this.
jp-ask-ind = Step 7: Which industry? Tap a button below.
jp-ask-type = Step 8: What kind of employment? Tap a button below.
jp-ask-pay = Step 9: What is the pay? For example "4000-6000元/月", "3k a month", "200 a day", "25 yuan/hour" or "negotiable".
jp-ask-hours = Step 10: Working hours? (e.g. 8 am to 6 pm, 4 days off a month) You can skip this.
jp-ask-req = Step 11: Requirements and what the work involves?
jp-ask-tags = Step 12: Who does this job suit? Choose any, then tap "Done".
jp-ask-contact = Step 13: How can workers reach you? (phone or WeChat, required)
jp-ask-exp = Step 14: Closing date? (e.g. 2026-12-31) You can skip this; the posting then runs for 30 days.
jp-field-emp = Employer
jp-field-reg = Registration no.
jp-field-title = Job title
jp-field-place = City and district
jp-field-addr = Address
jp-field-metro = Metro
jp-field-ind = Industry
jp-field-type = Employment type
jp-field-pay = Pay
jp-field-hours = Hours
jp-field-req = Requirements
jp-field-tags = Suits
jp-field-contact = Contact
jp-field-exp = Closing date
jp-current = Current answer: { $value }
jp-bad-too_long = That is too long: at most { $limit } characters, please. Please shorten it and send it again.
jp-bad-empty = This cannot be empty; please send it again.
jp-bad-pay = I couldn't read that pay. Please write it like "4000-6000元/月", "3k a month", "200 a day", "25 yuan/hour", or "negotiable".
jp-bad-date_format = I couldn't read that date. Please write it like 2026-12-31.
jp-bad-date_past = That date has already passed. Please give a later date, or tap "Skip".
jp-bad-reg = A registration number has only letters, digits and dashes (e.g. the 18-character unified social credit code). Tap "Skip" if you don't have one.
jp-bad-industry = I didn't recognise that industry; please tap one of the buttons.
jp-bad-type = I didn't recognise that kind of employment; please tap one of the buttons.
jp-text-only = Sorry, I can only read text at this step. Please type your answer.
jp-use-buttons = Please use the buttons below for this step.
jp-btn-back = { nav-back }
jp-btn-cancel = { nav-cancel }
jp-btn-skip = Skip ▶
jp-btn-done = ✔ Done
jp-btn-submit = ✅ Submit for review
jp-btn-edit = ✏️ Change something
jp-btn-preview = ◀ Back to preview
jp-preview-header = Please check the posting (this is how workers will see it):
jp-preview-reg = Registration no.: { $registration }
jp-preview-fee = ⚠️ This mentions a deposit or another fee. Employers may not charge workers anything when hiring, so such a posting cannot be published. Please tap "Change something" to remove it before you submit.
jp-preview-hint = If it's all correct, tap "Submit for review"; to change an answer, tap "Change something".
jp-edit-choose = Which answer would you like to change?
jp-cancelled = OK, cancelled. The posting was not submitted.
jp-submitted = Thank you! Your posting (no. { $id }) has been submitted. Union staff will review it before it is published, and I'll let you know. Send /my_postings to see its status.
jp-note-fee = ⚠️ The posting mentions a deposit or another fee. Under the Labour Contract Law employers may not charge workers a deposit or any fee when hiring, so postings like this cannot be published. If this is a misunderstanding, please withdraw it and submit it again without the fee.
jp-note-below_min_wage = ⚠️ The pay looks lower than the local minimum wage; staff will check it with you.
jp-note-no_contact = ⚠️ No contact was given, so workers cannot reach you.
jp-note-duplicate = ℹ️ A posting with the same employer, title and district is already under review or published; staff will check whether this one repeats it.
jp-btn-my = 📋 My postings
jp-btn-new = 📝 Post a job
jp-my-header = 📋 Postings you submitted:
jp-my-none = You haven't submitted any postings yet.
jp-my-status = 　Status: { $status } (no. { $id })
jp-my-note = 　Not approved because: { $reason }
jp-btn-withdraw = Withdraw no. { $number }
jp-withdrawn = Posting no. { $id } has been withdrawn; workers will no longer see it.
jp-forget-item = the job postings you submitted (unpublished ones deleted, published ones no longer linked to you)

jp-q-empty = ✅ No postings are waiting for review.
jp-q-header = Waiting for review: { $position } of { $total }
jp-q-employer = Registration no.: { $registration } ({ $verified })
    Submitted by: { $owner } · on { $date }
jp-q-verified = employer verified
jp-q-unverified = employer not verified
jp-btn-approve = ✅ Approve
jp-btn-reject = ❌ Reject
jp-btn-qedit = ✏️ Edit
jp-btn-next = Next ▶
jp-btn-queue = ◀ Back to the queue
jp-q-approved = Published "{ $title }"; job alerts queued for { $alerts } workers.
jp-q-rejected = Rejected "{ $title }"; the submitter has been told why.
jp-q-ask-reason = Why is "{ $title }" not approved? Write one sentence; it will be sent to the submitter. Send /cancel to leave it.
jp-q-choose-field = What would you like to change in "{ $title }"?
jp-q-ask-value = Send the new { $field } for "{ $title }".
    Now: { $value }
    Send /cancel to leave it.
jp-q-edited = Changed, and checked again:
jp-q-gone = This posting is no longer under review (perhaps someone already handled it); nothing was changed.
jp-rf-title = job title
jp-rf-employer_name = employer name
jp-rf-district = district
jp-rf-metro = metro
jp-rf-industry = industry
jp-rf-type = employment type
jp-rf-pay = pay
jp-rf-hours = hours
jp-rf-requirements = requirements
jp-rf-contact = contact
jp-rf-expires_on = closing date
jp-owner-published = 🎉 Your posting "{ $title }" has been approved and published; it runs until { $date }.
jp-owner-rejected = Your posting "{ $title }" was not approved this time.
    Reason: { $reason }
    You are welcome to correct it and submit it again with /post_job. Thank you for understanding!
