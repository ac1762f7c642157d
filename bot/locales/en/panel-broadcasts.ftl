## The staff panel's Broadcasts page.

panel-nav-broadcasts = Broadcasts
panel-broadcasts-compose = New broadcast
panel-broadcasts-subscribers = { $count ->
    [one] 1 worker has job alerts on.
   *[other] { $count } workers have job alerts on.
}
panel-broadcasts-audience = Who gets it
panel-broadcasts-audience-note = Tick nothing to reach every subscriber. Within each group any ticked value counts, and workers who named no preference are included.
panel-broadcasts-districts = Districts
panel-broadcasts-industries = Industries
panel-broadcasts-types = Kinds of work
panel-broadcasts-what = What to send
panel-broadcasts-kind-text = A message (written below)
panel-broadcasts-kind-weekly = This week's postings (for the chosen audience)
panel-broadcasts-text = Message
panel-broadcasts-text-note = Sent exactly as written, at most { $limit } characters.
panel-broadcasts-preview = Preview
panel-broadcasts-preview-title = Check before sending
panel-broadcasts-recipients = { $count ->
    [one] 1 recipient
   *[other] { $count } recipients
}
panel-broadcasts-quiet = It is quiet hours now: the broadcast starts at { $time }, unless you send it now anyway.
panel-broadcasts-send = Send to { $count }
panel-broadcasts-send-later = Send at { $time }
panel-broadcasts-send-now = Send now anyway
panel-broadcasts-back = Back to broadcasts
panel-broadcasts-history = History
panel-broadcasts-created = Created
panel-broadcasts-finished = Finished
panel-broadcasts-state = State
panel-broadcasts-total = Recipients
panel-broadcasts-delivered = Delivered
panel-broadcasts-blocked = Blocked the bot
panel-broadcasts-failed = Failed
panel-broadcasts-pending = Not sent yet
panel-broadcasts-rate = Messages a second
panel-broadcasts-eta = Time left
panel-broadcasts-resent = { $count } were sent once more after an interruption (those workers may have it twice).
panel-broadcasts-number = Broadcast #{ $id }
panel-broadcasts-pause = Pause
panel-broadcasts-resume = Resume
panel-broadcasts-cancel = Stop for good
panel-broadcasts-done-pause = Paused. Nothing more is sent until you resume.
panel-broadcasts-done-resume = Resumed.
panel-broadcasts-done-cancel = Stopped. Workers not reached yet will not get it.
panel-broadcasts-done-unchanged = Nothing changed: the broadcast is no longer in a state where that applies.
panel-broadcasts-spent = That preview was sent already (or has expired); nothing was sent again. See the history below.
panel-broadcasts-bad-audience = That audience cannot be used. Please choose from the lists on the page.
panel-broadcasts-bad-kind = Please choose what to send: a message or this week's postings.
panel-broadcasts-empty = Please write the message to send.
panel-broadcasts-no-postings = No postings were published this week for that audience; there is nothing to send.
