## gongyou — staff broadcasts (/broadcast). Every key must also exist in zh/broadcast.ftl.

bc-audience-ask = 📣 New broadcast. { $count } { $count ->
        [one] worker subscribes
       *[other] workers subscribe
    } to job alerts. Who should get it?
bc-btn-all = All subscribers ({ $count })
bc-btn-pick = Choose by district / industry / type
bc-btn-status = Broadcast progress
bc-btn-cancel = { nav-cancel }
bc-pick-ask = Tap the districts, industries and types to send to (any one per group is enough; workers who gave no preference for a group get it too). Then tap “Done”.
bc-pick-nothing = Subscribers have not given districts, industries or types yet; you can only send to all subscribers.
bc-btn-done = Done ({ $count })
bc-audience-all = all subscribers
bc-audience-empty = No subscriber is in that audience; please choose again.
bc-kind-ask = This goes to { $count } { $count ->
        [one] worker
       *[other] workers
    } ({ $audience }). What should it say?
bc-btn-compose = ✍️ Write a message
bc-btn-weekly = 📋 This week's new jobs
bc-compose-ask = Send the text to broadcast (at most { $limit } characters). Workers get it exactly as written. Send /cancel to give up.
bc-too-long = That text has { $length } characters; the limit is { $limit }. Please shorten it and send it again.
bc-text-only = A broadcast can only be text. Please type the message, or send /cancel to give up.
bc-use-buttons = Please continue with the buttons above, or send /cancel to give up this broadcast.
bc-weekly-none = No job was published for this audience in the last 7 days. You can write a message instead.
bc-weekly-header = 📋 New jobs this week ({ $count })
bc-weekly-header-more = 📋 { $total } new jobs this week; here { $count ->
        [one] is the newest one
       *[other] are the newest { $count }
    }
bc-weekly-more = { $more } more { $more ->
        [one] is
       *[other] are
    } not listed: tap “See all jobs” to browse them newest first, or send /jobs.
bc-btn-all-jobs = 🔍 See all jobs ({ $total })
bc-weekly-footer = Tap a button below for details. Had enough? Turn alerts off under “My job alerts”.
bc-preview-confirm = ⬆️ This is what workers will receive. It goes to { $count } { $count ->
        [one] worker
       *[other] workers
    } ({ $audience }). Send it?
bc-btn-send = ✅ Send to { $count }
bc-preview-quiet = 🌙 It is quiet hours now: starts at { $time }.
bc-btn-send-later = 🌙 Send to { $count } at { $time }
bc-btn-send-now = Send now anyway
bc-draft-cancelled = Broadcast dropped; nothing was sent.
bc-draft-invalid = This draft can no longer be used; please send /broadcast again.
bc-weekly-gone = Those jobs are no longer published, so nothing was sent. Please send /broadcast again.
bc-started = 📣 Broadcast #{ $id } has started: { $total } { $total ->
        [one] worker
       *[other] workers
    }, sent gradually within Telegram's limits. You can check the progress at any time.
bc-scheduled = 🌙 Broadcast #{ $id } is scheduled: it is quiet hours now, so it starts at { $time } for { $total } { $total ->
        [one] worker
       *[other] workers
    }. You can stop it from the progress view before then.
bc-status-none = No broadcasts yet.
bc-status-header = 📣 Recent broadcasts
bc-status-draft = draft
bc-status-running = sending
bc-status-paused = paused
bc-status-done = done
bc-status-cancelled = stopped
bc-status-preparing = preparing the recipient list
bc-status-scheduled = scheduled for { $time }
bc-status-night = resting for quiet hours until { $time }
bc-progress = #{ $id } { $status } · “{ $preview }”
    total { $total } · confirmed { $sent } · resent once { $resent } · pending { $pending } · failed { $failed } · blocked { $blocked }
    { $rate } msg/s · about { $eta } left
bc-eta = { $minutes } min { $seconds } s
bc-btn-pause = ⏸ Pause #{ $id }
bc-btn-resume = ▶️ Resume #{ $id }
bc-btn-stop = ⏹ Stop #{ $id }
bc-btn-refresh = 🔄 Refresh
bc-btn-new = 📣 New broadcast
bc-stop-ask = Stop broadcast #{ $id }? { $pending } workers have not got it yet and will not get it.
bc-btn-stop-yes = Yes, stop it
bc-btn-stop-no = Keep sending
bc-paused = Broadcast #{ $id } paused.
bc-resumed = Broadcast #{ $id } resumed.
bc-stopped = Broadcast #{ $id } stopped.
bc-not-changed = This broadcast has changed in the meantime; please refresh.
bc-done-summary = 📣 Broadcast #{ $id } is finished: { $total } { $total ->
        [one] worker
       *[other] workers
    }, { $sent } confirmed, { $resent } resent once (sending was cut off and it went once more: they may have it twice), { $failed } failed, { $blocked } had blocked the bot.
bc-unconfirmed-old = Also { $unconfirmed } marked unconfirmed by an earlier version (maybe delivered, not sent again).
bc-forget-item = your entries in broadcast ledgers
