## Union socials: staff create and manage them, verified members sign up (handlers/match/events.py)

me-when = { $weekday ->
        [0] Mon
        [1] Tue
        [2] Wed
        [3] Thu
        [4] Fri
        [5] Sat
       *[6] Sun
    } { $day } { $month ->
        [1] Jan
        [2] Feb
        [3] Mar
        [4] Apr
        [5] May
        [6] Jun
        [7] Jul
        [8] Aug
        [9] Sep
        [10] Oct
        [11] Nov
       *[12] Dec
    }, { $time }
me-event-head =
    🎉 { $title }
    🕖 { $when }
    📍 { $place }

## Members

me-list-head = 💞 Union socials (for verified union members only)
me-list-none = No socials coming up yet. New ones will show up here for you to sign up.
me-places-left = { $left } { $left ->
        [one] place
       *[other] places
    } left
me-places-left-balanced = { $left } { $left ->
        [one] place
       *[other] places
    } left (half for each gender: { $men } for men, { $women } for women)
me-places-full = Full, { $waiting } on the waiting list (signing up now puts you on it)
me-deadline = Sign up by: { $when }
me-deadline-passed = Sign-up has closed
me-mine-going = ✅ You are signed up
me-mine-waiting = ⏳ You are number { $position } on the waiting list
me-btn-join = Sign up: { $title }
me-btn-leave-title = Cancel: { $title }
me-btn-leave = Cancel my sign-up
me-btn-list = 📅 All socials
me-btn-back = ↩️ Back to matchmaking

me-ask-gender =
    { $event }
    Places at this social are split evenly between men and women. Please choose your gender:
me-joined =
    ✅ You are signed up!
    { $event }
    We will remind you the day before. If you cannot come, please cancel early so someone on the waiting list gets your place.
    Staff will see your Telegram name on the attendee list: { $name }
me-joined-waiting =
    ⏳ The social is full. You are number { $position } on the waiting list.
    { $event }
    When someone cancels, places go in order; we will tell you as soon as it is your turn.
    Staff will see your Telegram name on the list: { $name }
me-already-going = You are already signed up for this social.
me-already-waiting = You are already on the waiting list (number { $position }).
me-closed = Sign-up for this social has closed.
me-gone = This social was cancelled or has started; signing up is no longer possible.
me-not-signed-up = You are not signed up for this social; nothing to cancel.
me-left = Your sign-up is cancelled: { $title }. Hope to see you next time!
me-promoted =
    🎉 Someone cancelled, and you moved up from the waiting list: you have a place!
    { $event }
    If you cannot come, please cancel below so the next person gets the place.
me-event-cancelled =
    Sorry, this social has been cancelled:
    { $event }
    There is nothing you need to do. Hope to see you at the next one!
me-reminder =
    ⏰ Reminder of your social
    { $event }
    If you cannot come, please cancel below so someone on the waiting list gets your place.

me-forget-signups = Your sign-ups for socials (the waiting lists moved up)

## Staff: a new social

me-private-only = Please create socials in your private chat with the bot.
me-new-intro = New social. Press "Cancel" or send /cancel at any time to stop.
me-resume = Carrying on with the social you started:
me-ask-title = What is the title of the social? (up to { $limit } characters)
me-ask-start =
    When does it start? Write the date and time, for example:
    2026-12-05 19:00
    12-05 19:00
    Sat 7pm
    tomorrow 3pm
me-ask-place = Where is it? (up to { $limit } characters; a clear address helps people find it)
me-ask-capacity = How many places are there? Write a number from { $min } to { $max }.
me-ask-balance = Split places evenly between men and women? With "yes", each gender gets at most half of the places.
me-ask-deadline = Until when can members sign up? Write a date and time (not after the start), or use the button below.
me-current = Current answer: { $value } (send a new one to change it)
me-use-buttons = Please use the buttons under the message.
me-text-only = Please answer with text here.
me-bad-empty = This cannot be empty; please send it again.
me-bad-too-long = That is too long; please keep it within { $limit } characters.
me-bad-time = I could not read that time. Please write it like the examples: 2026-12-05 19:00, Sat 7pm, tomorrow 3pm
me-time-understood = Got it: { $when }, { $year }. If that is wrong, press "Back" and write it again.
me-bad-past = That time has already passed; please give a time in the future.
me-bad-after-start = Sign-up cannot close after the social starts.
me-bad-capacity = Please write a number of places from { $min } to { $max }.
me-yes = Yes
me-no = No
me-btn-balanced = Yes, half each
me-btn-not-balanced = No
me-btn-day-before = The day before, { $when }
me-btn-back-step = { nav-back }
me-btn-drop = { nav-cancel }
me-btn-create = ✅ Create the social
me-summary =
    Please check the new social:
    Title: { $title }
    Time: { $when }
    Place: { $place }
    Places: { $capacity }
    Half for each gender: { $balance }
    Sign up by: { $deadline }
    If all is right, press "Create the social".
me-new-dropped = The new social was dropped; nothing was saved.
me-created = ✅ Social #{ $id } is created; members can sign up now. Here is the announcement for members, ready to forward to the union's groups:
me-announce =
    💞 Union social
    { $event }
    Places: { $capacity }{ $balance }
    Sign up by: { $deadline }
    How to sign up: in the union bot, press "💞 Matchmaking" → "Socials". For verified union members only; when it is full you can join the waiting list.
me-announce-balanced = { " " }(half for each gender)

## Staff: the list, export, cancel

me-staff-none = No socials coming up. To create one, send /match event
me-staff-head = 📅 Upcoming socials:
me-staff-number = Social #{ $id }
me-staff-counts = Signed up { $going }/{ $capacity }, waiting { $waiting }
me-staff-balanced = (men { $men } · women { $women })
me-staff-footer = New social: /match event · Attendee list: /match export <number>
me-btn-export = 📄 Export #{ $id }
me-btn-cancel-event = ✖️ Cancel #{ $id }
me-export-usage = To export the sign-ups, give the social's number, for example: /match export 3 (numbers are in /match events)
me-export-missing = There is no social number { $id }.
me-export-caption = Sign-ups for "{ $title }": { $rows } (with the waiting list). The list has members' names: keep it safe and delete it after the social.
me-csv-order = No.
me-csv-status = Status
me-csv-name = Name
me-csv-gender = Gender
me-csv-at = Signed up at
me-status-going = Going
me-status-waiting = Waiting
me-cancel-confirm =
    Cancel this social?
    { $event }
    The { $going } members signed up and { $waiting } waiting will all be told.
me-btn-cancel-yes = Yes, cancel it
me-btn-cancel-no = Keep it
me-cancel-done = "{ $title }" is cancelled; { $told } members who signed up were told.
