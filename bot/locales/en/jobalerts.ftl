## gongyou — job-seeker registration and new-job alerts. Every key must also exist in zh/jobalerts.ftl.

ja-intro =
    📝 Job-seeker registration (求职登记): tell the union what work you are looking for — which district, which industry, full-time or daily work, and the lowest pay you accept.
    🔔 New-job alerts: when the union publishes a new job that fits, I send you a message. Several jobs come together in one message{ $quiet_note }, and you can stop alerts with one tap at any time.
    Choose below (nothing chosen means "any"); alerts start as soon as you choose something. To hear about every job, just tap "Turn alerts on".
ja-quiet-note = , never between { $hours }
ja-summary =
    📋 Your job-seeker registration
    Districts: { $districts }
    Industries: { $industries }
    Employment type: { $types }
    Metro lines: { $metro }
    Suitable for: { $tags }
    Lowest pay: { $pay }
    New-job alerts: { $alerts }
ja-any = any
ja-pay-at-least = { $pay } or more
ja-alerts-on = 🔔 on
ja-alerts-off = 🔕 off
ja-not-registered = not registered yet

ja-part-districts = 📍 Districts
ja-part-industries = 🏭 Industries
ja-part-types = 🕒 Employment type
ja-part-metro_lines = 🚇 Metro lines
ja-part-tags = 👤 Suitable for
ja-part-pay = 💰 Lowest pay

ja-edit-districts = Choose the districts where you want to work; you may choose several (at most { $max }). Tap again to remove one. Not listed? Tap "Type one".
ja-edit-metro_lines = Choose the metro lines you can reach; you may choose several (at most { $max }). Tap again to remove one. Not listed? Tap "Type one".
ja-edit-industries = Choose the industries you want; you may choose several. Tap again to remove one. None chosen means any.
ja-edit-types = Choose the employment types; you may choose several. Tap again to remove one. None chosen means any.
ja-edit-tags = Choose what fits you; you are told about jobs marked with any of them. None chosen means any.
ja-edit-pay = Choose the lowest pay you accept. Daily and hourly pay are compared as monthly pay (21.75 working days a month).
ja-no-places = No published job offers any yet; tap "Type one".
ja-type-districts = Type the name of a district, e.g. "Jinshui". Send /cancel to stop.
ja-type-metro_lines = Type a metro line, e.g. "Line 1". Send /cancel to stop.
ja-place-added = Added: { $place }

ja-btn-type = ✏️ Type one
ja-btn-back = { nav-return }
ja-btn-alerts-on = 🔔 Turn alerts on
ja-btn-alerts-off = 🔕 Turn alerts off
ja-btn-delete = 🗑 Delete registration
ja-btn-delete-yes = Yes, delete
ja-btn-delete-no = Keep it
ja-btn-pay-none = Any
ja-btn-search = 🔍 See more jobs
ja-btn-unsubscribe = 🔕 Stop alerts
ja-btn-settings = ⚙️ Change registration

ja-delete-ask = Delete your job-seeker registration? You will get no more new-job alerts.
ja-deleted = Your job-seeker registration is deleted. To register again, send /my_alerts.
ja-alerts-now-on = 🔔 New-job alerts are on.
ja-alerts-now-off = 🔕 New-job alerts are off.
ja-off-done = 🔕 OK, no more new-job alerts. Your registration is kept; to turn alerts back on, send /my_alerts or tap the button below.

ja-error-place_empty = The name cannot be empty; please type it again.
ja-error-place_too_long = That name is too long (at most 16 characters); please type it again.
ja-error-too_many = You can choose at most 10; please remove some first.
ja-error-unknown_industry = There is no such industry; please use the buttons.
ja-error-unknown_type = There is no such employment type; please use the buttons.
ja-error-unknown_tag = There is no such option; please use the buttons.
ja-error-bad_pay = That pay figure is not valid; please use the buttons.
ja-error-unknown_part = There is no such item; please use the buttons.

ja-alert-header = 🔔 { $count ->
        [one] { $count } new job fits
       *[other] { $count } new jobs fit
    } your job-seeker registration:
ja-alert-more = …and { $more } more; tap "See more jobs" to find them.
ja-alert-footer = Tap a number for details and the contact. To stop these alerts, tap "Stop alerts".

ja-forget-item = your job-seeker registration and new-job alert records
