## The staff panel: legal cases.

panel-nav-cases = Legal cases
panel-cases-bad-filter = Please choose a status and a category from the lists; a volunteer is a user id (digits) or "me".
panel-cases-bad-period = Please choose one of the periods offered.
panel-cases-stats-title = Legal cases: statistics
panel-cases-case-title = Legal case
panel-cases-case-heading = Case { $number }
panel-cases-export = Export cases as CSV (no worker details)
panel-cases-status = Status
panel-cases-category = Problem
panel-cases-any = Any
panel-cases-volunteer = Volunteer
panel-cases-volunteer-hint = user id, or "me"
panel-cases-sla-only = Only cases past the answer time
panel-cases-filter = Filter
panel-cases-count = { $count ->
    [one] 1 case
   *[other] { $count } cases
}
panel-cases-number = Case
panel-cases-opened = Opened
panel-cases-first-reply = First answer
panel-cases-urgent = urgent
panel-cases-sla = late
panel-cases-you = you
panel-cases-none = No case matches.
panel-cases-back = ← All cases
panel-cases-where = Where it stands
panel-cases-claimed-you = you took it
panel-cases-claimed-by = taken by volunteer { $id }
panel-cases-escalated = Sent to staff (nobody took it in time)
panel-cases-outcome = Outcome
panel-cases-closed = Closed
panel-cases-rating = The worker's rating
panel-cases-facts = What the worker told us
panel-cases-employer = Employer
panel-cases-place = Where
panel-cases-work-start = Started work
panel-cases-work-end = Left work
panel-cases-still-working = Still working there
panel-cases-incident = Accident date
panel-cases-amount = Amount owed (yuan)
panel-cases-description = What happened
panel-cases-evidence = Files attached (open them in Telegram)
panel-cases-phone = Phone (the worker asked to be called)
panel-cases-contact = Contact
panel-cases-contact-bot = Only through the bot
panel-cases-name = Name
panel-cases-name-hidden = Not shared by the worker
panel-cases-deadline = Deadline
panel-cases-history = Conversation
panel-cases-from-worker = The worker
panel-cases-from-volunteer = Volunteer { $id }
panel-cases-attachment = (a photo or file)
panel-cases-history-none = No messages yet.
panel-cases-period = { $days ->
    [0] Since the start
   *[other] Last { $days } days
}
panel-cases-stats-cases = Cases opened
panel-cases-stats-urgent = Urgent
panel-cases-stats-median = Median time to first answer
panel-cases-stats-p90 = 90% answered within
panel-cases-stats-waiting = Still waiting for a first answer
panel-cases-stats-by-status = By status (now)
panel-cases-stats-by-category = By problem
panel-cases-stats-by-outcome = By outcome
panel-cases-act = Work on the case
panel-cases-claim = Claim this case
panel-cases-claim-taken-note = Another volunteer lawyer has claimed this case.
panel-cases-answer = Message to the worker
panel-cases-answer-note = The worker gets this message from the bot (with the case number, and can reply to it); a note is left under the case in the volunteers' group.
panel-cases-answer-send = Send to the worker
panel-cases-answer-already = This message was sent already; it was not sent again.
panel-cases-answer-no-bot = This panel does not run with the bot, so it cannot write to the worker. Answer in Telegram, or use the panel of the running bot (webhook or polling mode).
panel-cases-answer-empty = Please write the message for the worker.
panel-cases-answer-long = The message is too long: at most { $limit } characters.
panel-cases-answer-stale = This form has expired. Please open the case page again and send it from there.
panel-cases-note-answered = 💬 { $name } wrote to the worker from the staff panel:
    { $text }
panel-cases-close-note = A released case waits for a volunteer again; closing asks you to confirm first, then the worker is told and asked for a rating.
panel-cases-not-claimed = Nobody has claimed this case now; it is waiting for a volunteer.
panel-cases-bad-outcome = Please choose an outcome from the list.
