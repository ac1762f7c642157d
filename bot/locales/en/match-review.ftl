# Matchmaking: volunteer matchmakers' review, reports queue and introductions (handlers/match/review.py).

mr-usage =
    Matchmakers can use:
    /match review — review new and edited profiles
    /match reports — handle members' reports
    /match intro NO.A NO.B note to both — introduce two members (the note is optional)
mr-private-only = To protect members' privacy, please use the matchmaker commands in your private chat with the bot.

## The review queue

mr-review-empty = No profile is waiting for review.
mr-review-head-new = 📝 New profile to review ({ $waiting } waiting) · sent { $date }
mr-review-head-edited = 📝 Edited profile to review ({ $waiting } waiting) · changed { $date }
mr-review-visibility = Who can see it: { $value }
mr-photo-yes = Photo: yes
mr-photo-no = Photo: no
mr-review-hidden = ⚠️ This profile has open reports and is hidden from members; please also look at /match reports.
mr-btn-approve = ✅ Approve
mr-btn-changes = ✏️ Ask for changes
mr-btn-reject = ❌ Reject
mr-btn-next = ➡️ Next
mr-btn-cancel = { nav-cancel }
mr-already = This profile has been handled already (by another matchmaker, or the member changed it).
mr-changed = The member changed profile { $number } after you saw it. Please look at the new version before deciding:
mr-own = This is your own profile; please leave it to another matchmaker.
mr-approved = ✅ Profile { $number } approved.
mr-changes-done = ✏️ The member of profile { $number } was asked for changes.
mr-rejected-done = ❌ Profile { $number } rejected.
mr-member-told = The member has been told.
mr-member-unreachable = The member could not be reached (they may have blocked the bot); they will see the result in /match.
mr-member-held = 🌙 It is quiet hours now; the member will be told at { $time }.
mr-ask-changes = Please type what the member should change in profile { $number } (up to { $limit } characters). The member will read it, so be specific and kind.
mr-ask-reject = Please type why profile { $number } is not approved (up to { $limit } characters). The member will read it, so be kind.
mr-reason-too-long = That is a bit long: at most { $limit } characters, please shorten it.
mr-reason-text-only = Please type the reason, or press “Cancel”.
mr-reason-cancelled = All right, nothing decided; the profile stays in the review queue.

mr-member-approved = 🎉 Your matchmaking profile has been approved! Send /match to see the members suggested to you each day.
mr-member-changes =
    ✏️ A matchmaker looked at your matchmaking profile and asks you to change something:
    { $reason }
    Send it again when it is ready and a matchmaker will look once more.
mr-btn-edit = Edit my profile
mr-member-edit-hint = Send /match to edit your profile.
mr-member-rejected =
    Sorry, your matchmaking profile was not approved this time.
    Reason: { $reason }
    If you have questions, ask your workplace union or a union service station.

## The reports queue

mr-reports-empty = No reports are waiting.
mr-reports-header = 🚩 { $profiles } profiles have open reports, most reported first; here are the first { $shown }. Reporters are not shown.
mr-report-head = 🚩 Open reports: { $count } · { $hidden }
mr-report-hidden-yes = hidden automatically after reports
mr-report-hidden-no = not hidden
mr-report-reasons = Reasons: { $reasons }
mr-report-reason = { $reason } × { $count }
mr-report-status = Profile status: { $status }
mr-reason-fake = fake profile
mr-reason-rude = rude behaviour
mr-reason-money = asks for money or sells things
mr-reason-married = married
mr-reason-other = other
mr-status-pending = waiting for review
mr-status-approved = approved
mr-status-changes = waiting for the member's changes
mr-status-rejected = not approved
mr-status-paused = { $status } (paused by the member)
mr-btn-keep = 👍 Keep profile
mr-btn-suspend = ⛔ Suspend profile
mr-reports-handled = The reports on this profile have been handled already.
mr-kept = 👍 Profile { $number } kept; { $count } { $count ->
        [one] report
       *[other] reports
    } resolved and the profile is no longer hidden because of them.
mr-suspended = ⛔ Profile { $number } suspended; { $count } { $count ->
        [one] report
       *[other] reports
    } resolved.
mr-suspended-note = Suspended by a matchmaker after reports from members.
mr-member-suspended =
    Your matchmaking profile was reported by members. A matchmaker looked at it and has suspended it for now; other members cannot see it.
    If you want to explain, ask your workplace union or a union service station.

## Introductions

mr-intro-usage =
    Usage: /match intro NO.A NO.B note to both
    The profile numbers are on the profile cards; the note is optional.
mr-intro-missing = There is no profile { $number }.
mr-intro-same = Both numbers are the same profile.
mr-intro-own = You cannot introduce yourself; please ask another matchmaker.
mr-intro-unavailable = Profile { $number } cannot be introduced now: it is not approved, paused by the member, or hidden after reports.
mr-intro-pair = These two members have exchanged contacts already.
mr-intro-open = These two members already have an introduction that is not fully answered.
mr-intro-blocked = One of the two members blocked or reported the other; they cannot be introduced.
mr-intro-note-long = The note can be at most { $limit } characters; please shorten it.
mr-intro-note-contact = The note cannot carry contact details: the bot exchanges them once both members agree. Please remove them and send again.
mr-intro-sent = 💞 Introduction { $intro } was sent to the members of profiles { $a } and { $b }. If both accept, their contacts are exchanged; you will be told the outcome.
mr-intro-unreachable = The introduction could not be sent to the member of profile { $number } (they may have blocked the bot); it has been withdrawn.
mr-intro-invite = 💞 A union matchmaker thinks you and this member may get along:
mr-intro-private-card = This member shares their profile with matchmakers only, so it is not shown here.
mr-intro-note = The matchmaker says: { $note }
mr-intro-how = Only if you both accept does the bot give each of you the other's Telegram contact. If you decline, the other member is only told it did not work out.
mr-btn-accept = ✅ I'd like to meet
mr-btn-decline = No, thank you
mr-intro-accepted-wait = Noted: you would like to meet. We'll tell you when the other member answers.
mr-intro-declined-ok = Noted. The other member is only told it did not work out.
mr-intro-not-this-time = The introduction from the matchmaker did not work out this time. Don't lose heart — the right person may still come.
mr-intro-already-connected = You two have exchanged contacts already; just write to each other.
mr-intro-closed = This introduction is over.
mr-intro-answered = You have answered already.
mr-intro-outcome-pair = 💞 Introduction { $intro }: both accepted and their contacts have been exchanged.
mr-intro-outcome-no = Introduction { $intro } did not work out this time.

## The volunteers' group

mr-pending-notice = 🆕 A matchmaking profile (no. { $number }) is waiting for review; { $waiting } in the queue. Matchmakers: send /match review to the bot in a private chat.
mr-hidden-notice = 🚩 A matchmaking profile (no. { $number }) was reported 3 times or more and is hidden for now. Matchmakers: send /match reports to the bot in a private chat.
