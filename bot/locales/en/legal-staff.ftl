## Legal help for staff: statistics, the case export, and volunteers' FAQ drafts

ls-bad-days = Please give the number of days as a whole number from 1 to { $max }, e.g. /legal stats 30

ls-stats-title-all = 📊 Legal help statistics (all time)
ls-stats-title-days = 📊 Legal help statistics (last { $days } days)
ls-stats-faq = FAQ answers: { $total } (helped { $helped }, did not help { $unhelpful }, no feedback { $silent })
ls-stats-cases = Cases opened: { $total } (waiting for a volunteer { $open }, in progress { $claimed }, closed { $closed }; urgent { $urgent })
ls-stats-by-category = By category:
ls-stats-by-outcome = Outcomes of closed cases:
ls-stats-line = · { $name }: { $count }
ls-stats-none = · none yet
ls-stats-reply = Time to a volunteer's first reply: median { $median }, 90% within { $p90 } ({ $replied } replied, { $waiting } without a reply yet)
ls-stats-reply-none = Time to a volunteer's first reply: no case has had a reply yet ({ $waiting } waiting)
ls-stats-ratings = Workers' ratings: { $count }, average { $average } (5★ { $five } · 4★ { $four } · 3★ { $three } · 2★ { $two } · 1★ { $one })
ls-stats-ratings-none = Workers' ratings: none yet
ls-stats-footer = Case details as CSV: /legal export · Drafts to review: /legal drafts ({ $drafts })

ls-dur-minutes = { $minutes } min
ls-dur-hours = { $hours } h { $minutes } min
ls-dur-days = { $days } d { $hours } h

ls-export-none = There are no cases to export yet.
ls-export-caption = { $rows } { $rows ->
        [one] case
       *[other] cases
    }. No names, phone numbers, employers, places or descriptions; times are UTC.
ls-csv-case = Case
ls-csv-category = Category
ls-csv-created = Opened
ls-csv-claimed = Claimed
ls-csv-first-reply = First reply
ls-csv-closed = Closed
ls-csv-outcome = Outcome
ls-csv-urgent = Urgent
ls-csv-deadline = Deadline
ls-csv-deadline-approximate = Deadline approximate (date given roughly)
ls-csv-reannounced = Re-announced
ls-csv-escalated = Escalated to staff
ls-csv-rating = Rating
ls-csv-yes = yes
ls-csv-no = no

ls-drafts-none = No FAQ drafts are waiting for review.
ls-drafts-header = { $count } FAQ { $count ->
        [one] draft waits
       *[other] drafts wait
    } for review; the oldest { $shown }:
ls-drafts-line = #{ $id } [{ $category }] { $question } (volunteer { $author }, { $date })
ls-btn-view = View #{ $id }
ls-btn-approve = ✅ Approve #{ $id }
ls-btn-reject = ✖️ Reject #{ $id }
ls-draft-card =
    FAQ draft #{ $id } ({ $status })
    Category: { $category }
    From case: { $case }
    Volunteer: { $author }, { $date }

    Question: { $question }
    Other ways to ask:
    { $phrases }

    Answer:
    { $answer }
ls-draft-pending = waiting for review
ls-draft-approved = approved
ls-draft-rejected = rejected
ls-draft-no-case = none
ls-already = This draft has already been reviewed ({ $status }).
ls-approved = ✅ Draft #{ $id } approved; the bot answers with it from now on: { $question }
ls-rejected = Draft #{ $id } rejected: { $question }
ls-approve-ask = Approve draft #{ $id }? The bot answers workers with it at once: { $question }
ls-reject-ask = Reject draft #{ $id }? A rejected draft cannot be approved later: { $question }
ls-btn-approve-yes = ✅ Yes, approve #{ $id }
ls-btn-reject-yes = ✖️ Yes, reject #{ $id }
ls-btn-review-keep = Cancel
ls-review-kept = OK, draft #{ $id } keeps waiting for review.

ld-intro-case = Turn a good answer from case { $number } into an FAQ draft. Once staff approve it, the bot gives it straight away to other workers who ask.
ld-intro = Turn a good answer into an FAQ draft. Once staff approve it, the bot gives it straight away to workers who ask.
ld-resume = Carry on with the draft you started:
ld-privacy = ⚠️ Every worker can read FAQ answers: do not include a worker's name, phone number, ID number, employer or other personal details.
ld-ask-question = Step 1 of 4: how would a worker ask? Write the question in a worker's own words ({ $min }–{ $max } characters).
ld-ask-phrases = Step 2: other ways to ask the same thing? One per line (at most { $count } lines of up to { $max } characters). If none, press "Skip".
ld-ask-answer = Step 3: write the answer ({ $min }–{ $max } characters), ideally naming the articles of law it rests on.
ld-ask-category = Step 4: which category does the question belong to?
ld-current = Current answer: { $value }
ld-preview =
    Please check the draft, then submit it for review:

    Category: { $category }
    Question: { $question }
    Other ways to ask:
    { $phrases }

    Answer:
    { $answer }
ld-phrases-none = (none)
ld-bad-short = That is too short: at least { $limit } characters, please.
ld-bad-long = That is too long: at most { $limit } characters, please.
ld-bad-many = At most { $limit } other ways to ask, please.
ld-bad-phone = That seems to contain a mobile number. Every worker can read FAQ answers, so please remove personal details and send it again.
ld-bad-id-card = That seems to contain an ID-card number. Every worker can read FAQ answers, so please remove personal details and send it again.
ld-use-buttons = Please use the buttons below.
ld-text-only = Please send text for this step.
ld-btn-skip = Skip
ld-btn-back = { nav-back }
ld-btn-cancel = { nav-cancel }
ld-btn-use-last = Use my last message to the worker
ld-btn-submit = 📨 Submit for review
ld-no-last = You have not sent the worker a text message on this case yet.
ld-submitted = Draft #{ $id } submitted. Staff will review it before it joins the FAQ, and you will hear the result. Thank you!
ld-cancelled = Draft cancelled.
ld-not-yours = Only the volunteer who claimed or closed this case can draft from it.
ld-open-private = Please open a private chat with the bot first (open the bot and send /start), then start the draft again.
ld-sent-private = I have sent you a private message: please carry on with the draft there.
ld-approved = Your FAQ draft #{ $id } "{ $question }" was approved; the bot now answers workers with it. Thank you!
ld-rejected = Your FAQ draft #{ $id } "{ $question }" was not taken this time. Thank you for your work!
