## gongyou — English message catalog. Every key here must also be in the Chinese catalog.

welcome = Hello, fellow worker! I'm the union's assistant.
    What do you need? Tap a button below, or just type it, e.g. "daily paid work", "boss owes me wages", "rest station near me".
menu = Choose a service:
help =
    I can help with:
    💼 Jobs: union job lists, search by district and metro line, alerts for new jobs
    ⚖️ Legal help: answers on unpaid wages, contracts, work injury, social insurance and more, and volunteer lawyers when needed
    💞 Matchmaking: the union's matchmaker service and socials for members
    🏠 Post stations: nearby places to rest, drink water, heat lunch and charge your phone
    🏛 Union services: /union study grants, hardship aid, legal-aid stations, degree classes, joining

    Just type your question. Commands:
    /menu main menu · /cancel leave the current step · /lang language · /help help
    /mydata my data · /privacy privacy · /forget delete my data
help-staff =
    Staff:
    /stations stats station statistics
    /stations flagged stations workers reported
    /stations status <id> <status> change a station's status
    Send me a CSV, JSON or GeoJSON file to import stations (caption: gcj02, bd09 or dry-run)
    /review_jobs review job postings waiting to be published
    /broadcast send job news to subscribed workers; /broadcast status to follow, pause or cancel
    Send me an Excel (.xlsx) or CSV job list to import jobs (caption dry-run to preview only)
    /legal stats [days] legal-help statistics; /legal export the case table (CSV, no personal data)
    /legal drafts review FAQ drafts from volunteer lawyers; /cases, /case <number> to see cases
    /match event new social; /match events upcoming socials; /match export <number> attendee list
    /panel a sign-in link to the web panel (statistics, roles, audit log)
help-admin =
    Admins:
    /role add <user id> <role> grant a role
    /role remove <user id> <role> take a role away
    /role list users with roles
cancel-done = Done, you have left the current step. Anything else?
cancel-nothing = There is no step in progress. Anything else?
lang-choose = 请选择语言 / Choose a language:
lang-set = OK, I'll speak English with you from now on.
role-refused = Sorry, only union staff with the right role can use this.
role-usage =
    Usage:
    /role add <user id> <role>
    /role remove <user id> <role>
    /role list
    Roles: { $roles }
role-list = Users with roles:
    { $holders }
role-add-done = User { $user } now has the role { $role }.
role-add-unchanged = User { $user } already has the role { $role }; nothing changed.
role-remove-done = User { $user } no longer has the role { $role }.
role-remove-cases = Their claimed cases went back to the queue: { $cases }.
role-remove-unchanged = User { $user } does not have the role { $role }; nothing changed.
text-too-long = That message is long; I read at most { $limit } characters at a time. Please tell me briefly what you need, or tap /menu.
router-unsure = I'm not sure which service you mean. Is it one of these?
router-unknown = Sorry, I didn't understand. Try saying it another way, or pick a service:
hint-other = For now I can only read text and locations. Type what you need, or pick from the menu:
unknown-command = I don't know that command. Send /help to see what I can do.
button-stale = This button has expired. Please open the menu again.
flood-notice = You're sending messages very fast, so I didn't handle the last few. Please wait a few seconds and send what you need again.
flood-skipped =
    { $count ->
        [one] Your earlier message waited too long, so I skipped it and am answering your latest one.
       *[other] Your { $count } earlier messages waited too long, so I skipped them and am answering your latest one.
    }
flood-button = Too fast. Please wait a moment and tap again.
error-generic = Sorry, something went wrong and that didn't go through. Please try again later, or send /menu to start over.
service-soon = { $service }: { $about }
    This service is being prepared and will be available soon. Meanwhile, have a look at the others.

btn-jobs = 💼 Jobs
btn-legal = ⚖️ Legal help
btn-match = 💞 Matchmaking
btn-station = 🏠 Post stations
btn-lang = 🌐 Language 语言
btn-help = ❓ Help
btn-menu = 🏠 Main menu

about-jobs = union job lists by district, metro line and industry; register what you look for and get alerts for new jobs.
about-legal = answers with the law behind them on unpaid wages, contracts, dismissal, work injury, social insurance and overtime, and the union's volunteer lawyers when you need one.
about-match = the union's matchmaking for members: verified membership, profiles reviewed by matchmakers, contacts shared only when both say yes, and socials.
about-station = share your location to find the nearest union post stations: water, microwave, charging, rest, with opening hours and directions.

cmd-start = Start
cmd-menu = Main menu
cmd-help = Help
cmd-cancel = Leave the current step
cmd-lang = Change language

forget-ask = Delete everything I keep about you? That is your language setting, any step in progress, and later your data in each service too. This cannot be undone.
btn-forget-yes = Yes, delete
btn-forget-no = Not now
forget-done = Deleted:
    { $items }
    If you write again, I'll start afresh.
forget-kept = OK, nothing was deleted.
forget-item-profile = your user record (language, roles, first and last seen)
forget-item-flow = the step in progress
forget-item-roles = your roles (removed, each written to the audit log)
forget-item-cases = the cases you claimed, back in the queue (the volunteers' group was told): { $cases }
forget-ask-roles = You hold roles here: { $roles }. Deleting your data also removes these roles, each written to the audit log.
forget-ask-cases = { $count ->
        [one] The case you claimed and have not closed, { $cases }, goes back to the queue when you confirm; the volunteers' group is told so another volunteer can take it.
       *[other] The { $count } cases you claimed and have not closed ({ $cases }) go back to the queue when you confirm; the volunteers' group is told so other volunteers can take them.
    }
forget-admin-configured = Your id is listed in GONGYOU_ADMIN_IDS, so you are a configured admin and I won't delete your data (the next start would make you admin again). Remove your id from GONGYOU_ADMIN_IDS first and restart the bot, then send /forget again.
role-name-admin = admin
role-name-staff = union staff
role-name-volunteer_legal = volunteer lawyer
role-name-volunteer_match = volunteer matchmaker
cmd-forget = Delete my data
cmd-jobs = Find jobs
cmd-my_alerts = My job registration and alerts
cmd-post_job = Employers: post a job

flow-paused = Your { $service } steps are kept where you left them. Press below to pick up again.
btn-resume = ↩️ Continue { $service }
flow-resume-gone = Those earlier steps have expired or are gone; please start again.

# one set of navigation labels for every service (the services' keys refer to these)
nav-back = ⬅️ Back
nav-cancel = ✖️ Cancel
nav-return = ↩️ Back

# /inbox (staff): the update inbox
inbox-summary =
    Update inbox: { $new } waiting, { $failed } to be retried, { $done } handled (kept 7 days), { $parked ->
        [one] { $parked } update given up on
       *[other] { $parked } updates given up on
    }.
    Latest given up on:
    { $latest }
inbox-parked-line = #{ $update } · { $when } · { $tries ->
        [one] { $tries } try
       *[other] { $tries } tries
    } · { $error }
inbox-none-parked = none

## My data: /mydata and /privacy
cmd-mydata = See my data (sent to you as a file)
cmd-privacy = What is kept, why and for how long
mydata-private-only = I send your data only in a private chat. Tap my picture and send /mydata to me there.
mydata-caption = Here is everything I keep about you: a text you can read, and the same as JSON (for other software). To delete it, send /forget; to see why it is kept and for how long, send /privacy.
mydata-file-title = What the gongyou bot keeps about you (exported { $date })
mydata-profile = Your user record (language, roles, first and last use)
mydata-flow = Steps in progress
mydata-inbox = Messages you sent that are still kept
mydata-outbox = Messages waiting to be sent to you, or just sent
mydata-audit = Things you did that the audit log records
mydata-jobs-seeker = Your job registration
mydata-jobs-alerts = Job alerts sent to you
mydata-jobs-views = Postings whose contact you opened
mydata-jobs-reports = Postings you reported
mydata-jobs-postings = Postings and employers you submitted
mydata-jobs-broadcasts = Broadcasts sent to you
mydata-station-reports = Your reports about post stations
mydata-membership = Membership check (only a fingerprint of your card number is kept, never the number)
mydata-legal-cases = Legal help cases (what you told us, the conversation with volunteer lawyers, the names of your evidence files)
mydata-legal-questions = Legal questions you asked (only which answer you got and whether it helped)
mydata-match-profile = Your matchmaking profile
mydata-match-decisions = People suggested to you and your answers (the other person is not named)
mydata-match-pairs = Pairs and matchmaker introductions (the other person is not named)
mydata-match-reports = Reports you filed (the person reported is not named)
mydata-match-events = Social event sign-ups
privacy =
    🔒 What I keep, why, for how long, and who can see it

    What: your language and when you use the bot; what you fill in when you use a service (job registration, legal help cases, matchmaking profile, event sign-ups, reports about postings and stations). For membership checks only a fingerprint of your card number is kept, never the number. For legal questions only which answer you got is kept, not your words.
    Why: only to give you the service you asked for. Statistics use unnamed figures only.
    How long: your messages are kept { $inbox_days } days after they are handled; closed legal cases lose their personal details after { $case_months } months, leaving unnamed statistics; everything else until you delete it.
    Who can see it: union staff manage postings, stations and broadcasts; volunteer lawyers see your case, and your name only if you agreed; matchmakers review your matchmaking profile; other members see your profile only as widely as you chose, and contacts are exchanged only when both agree. Role changes, membership checks and such are recorded in the audit log.

    Send /mydata for a copy of everything; send /forget to delete it all.
