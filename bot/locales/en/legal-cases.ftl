## Legal cases: the volunteers' group, the relay, follow-up, the worker's case list and rating

## What volunteers and staff see

lc-topic-name = { $number } { $category }
lc-topic-name-urgent = { $number } { $category } 🔴
lc-announce-header = 🆕 New legal-aid case, waiting for a volunteer lawyer
lc-announce-hint-topic = Once you have claimed it, write in this topic and the bot passes your message to the worker (under the case number). Messages starting with // stay in the group.
lc-announce-hint-thread = Once you have claimed it, reply to this message (or any other message of the case) and the bot passes it to the worker (under the case number). Messages starting with // stay in the group.
lc-evidence-caption = { $number } · evidence { $index }/{ $total }

lc-age-minutes = { $n } min
lc-age-hours = { $n } h
lc-age-days = { $days } d { $hours } h

lc-not-member = You are not in the volunteer lawyers' group, so you cannot work on cases. Please ask union staff to add you to the group.
lc-list-header = Open cases (urgent first, then the longest waiting):
lc-list-line = { $number } · { $category } · waiting { $age } · { $status }
lc-list-line-urgent = 🔴 { $number } · { $category } · waiting { $age } · { $status }
lc-list-you = (yours)
lc-list-other = (another volunteer's)
lc-list-empty = There are no open cases right now.
lc-case-usage = Usage: /case <case number>, e.g. /case L0012
lc-case-unknown = No case { $ref } was found.

lc-view-status = Status: { $status }
lc-view-claimer-you = Handled by: you
lc-view-claimer-other = Handled by: another volunteer
lc-view-age = Opened { $age } ago
lc-view-escalated = Escalated to union staff
lc-view-outcome = Outcome: { $outcome }
lc-view-rating = Worker's rating: { $rating } / 5
lc-view-additions = Added by the worker:
lc-view-addition = · { $text }

lc-btn-claim = ✋ Claim
lc-btn-release = ↩️ Release
lc-btn-ask = ❓ Ask the worker
lc-btn-close = ☑️ Close
lc-btn-name-on = 👤 Show my name to the worker: on
lc-btn-name-off = 👤 Show my name to the worker: off
lc-btn-evidence = 📎 Evidence ({ $count })
lc-btn-draft = 📝 Draft an FAQ entry
lc-btn-list = 📋 Case list
lc-btn-open = { $number } { $category }
lc-btn-view = Open case { $number }
lc-btn-answer = ↩️ Answer the worker

lc-claimed = You claimed case { $number }.
lc-claim-taken = Another volunteer has already claimed this case.
lc-claim-yours = You are already handling this case.
lc-case-closed = This case is closed.
lc-note-claimed = ✋ { $name } claimed this case.
lc-note-released = ↩️ { $name } released this case; it is waiting for a volunteer again.
lc-note-released-left = ↩️ The volunteer who claimed this case has left the service; it is waiting for a volunteer again.
lc-note-released-role = ↩️ The volunteer who claimed this case no longer holds the legal volunteer role; it is waiting for a volunteer again.
lc-note-closed = ☑️ Closed: { $outcome } ({ $name })
lc-note-withdrawn = ✖️ The worker withdrew this case.
lc-note-retracted = ↩️ The worker took back the message above: it was not meant for the lawyer.
lc-withdrawn-private = ✖️ The worker withdrew case { $number }.
lc-someone = A volunteer
lc-released = You released case { $number }; it is waiting for a volunteer again.
lc-release-not-yours = Only the volunteer who claimed this case can release it.
lc-release-ask = Release case { $number }? It will wait for a volunteer again.
lc-btn-release-yes = ↩️ Yes, release { $number }
lc-btn-keep = Cancel
lc-kept = OK, nothing changed.
lc-close-choose = How did case { $number } end?
lc-close-not-yours = Another volunteer is handling this case; only they can close it.
lc-close-ask =
    Close the case?
    Case { $number }, outcome: { $outcome }. The worker will be told and asked for a rating.
lc-btn-close-yes = ☑️ Yes, close it
lc-close-kept = OK, case { $number } stays open.
lc-closed-done = Case { $number } is closed: { $outcome }. The worker is told and asked for a rating.
lc-name-shown = Messages passed to the worker now carry your first name.
lc-name-hidden = Messages passed to the worker no longer carry your name.
lc-name-not-yours = Only the volunteer handling the case can change this.
lc-evidence-none = This case has no evidence files.

lc-ask-claim-first = Please claim the case before writing to the worker.
lc-ask-in-topic = Just write in this topic and the bot passes it to the worker. Messages starting with // stay in the group.
lc-ask-reply-root = Reply to a message of this case and the bot passes it to the worker. Messages starting with // stay in the group.
lc-ask-prompt = Send what the worker should get (case { $number }): one text, photo or file. Send /cancel to stop.
lc-relay-sent = ✅ Passed to the worker.
lc-relay-sent-once = ✅ Passed to the worker (case { $number }). To send another, press "Ask the worker" again.
lc-relay-closed = The case is closed; the message was not passed to the worker.
lc-relay-gone = The worker has deleted their data; the message cannot be delivered.
lc-relay-blocked = The message did not arrive: the worker may have blocked the bot.
lc-relay-failed = The message did not arrive; please try again later.
lc-relay-unsupported = Only text, photos and files can be passed on.
lc-hint-claim = Note: only the volunteer who claimed the case has their messages passed to the worker, so please claim it first. Messages starting with // stay in the group.
lc-from-worker = 👷 Worker (case { $number }):

lc-reminder = ⏰ Case { $number } ({ $category }) has not been claimed yet; it has waited { $age }.
lc-reminder-urgent = ⏰🔴 Urgent case { $number } ({ $category }) has not been claimed yet; it has waited { $age } and a deadline is close or may have passed.
lc-escalation = 🚨 Case { $number } ({ $category }) has waited { $age } and no volunteer lawyer has claimed it.
lc-escalation-urgent = 🚨🔴 Urgent case { $number } ({ $category }) has waited { $age } and no volunteer lawyer has claimed it; a deadline is close or may have passed.

## What the worker sees

lw-claimed = ✅ A volunteer lawyer has taken your case { $number }. If they have questions, the bot passes them to you: just reply to that message. Send /my_cases to see your cases.
lw-closed = ☑️ Your case { $number } is closed: { $outcome }.
    Did the help work for you? Please rate it (1 to 5 stars, 5 is best):
lw-from-volunteer = 💬 Volunteer lawyer (case { $number }):
lw-from-volunteer-named = 💬 Volunteer lawyer { $name } (case { $number }):
lw-btn-reply = ↩️ Reply to the lawyer
lw-reply-prompt = Send what the volunteer lawyer should get (case { $number }): text, a photo or a file. Send /cancel to stop.
lw-add-prompt = Send what you want to add to case { $number }: text, photos (pay slips, contract, chat screenshots) or files. Send /cancel to stop.
lw-delivered = ✅ Passed to the volunteer lawyer (case { $number }).
lw-saved = 📎 Saved to your case { $number }; the volunteer lawyer will see it.
lw-btn-not-for-lawyer = ↩️ Not for the lawyer
lw-retracted = ↩️ Taken back: this message is no longer part of case { $number }.
lw-case-closed = Case { $number } is closed and cannot take more. For a new question, send /legal.
lw-too-long = That is too long (at most { $limit } characters); please send it in parts.
lw-unsupported = Only text, photos and files can be passed on.
lw-my-header = Your legal-aid cases:
lw-my-line = { $number } · { $category } · { $status } · { $date }
lw-my-none = You have no legal-aid cases. For a question about work, send /legal.
lw-btn-add = ➕ Add to { $number }
lw-btn-withdraw = ✖️ Withdraw { $number }
lw-withdraw-ask = Withdraw case { $number }? The volunteer lawyers will stop working on it.
lw-btn-withdraw-yes = Yes, withdraw
lw-btn-keep = No, keep it
lw-withdrawn = Case { $number } is withdrawn. You can ask again at any time.
lw-kept = Fine, case { $number } goes on.
lw-rated = Thank you for your rating ({ $rating } stars)!
lw-already-rated = You have already rated this case, thank you!

forget-item-legal = Your legal-aid cases and questions (personal details, evidence and messages deleted; only anonymous statistics kept: category, dates, outcome)
lc-note-asked = 💬 { $name } wrote to the worker from a private chat:
    { $text }
