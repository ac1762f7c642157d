## Matchmaking (the member's side): rules and consent, menu, profile, pause and delete

mp-private-only = Please use matchmaking in a private chat with me: tap my picture and send /match.

mp-consent =
    💞 Union matchmaking · before you start

    This is the union's matchmaking service for single members. Volunteer matchmakers (红娘) review every profile; only approved profiles are suggested.

    Who sees what:
    · Matchmakers see your profile, to review it and to introduce people;
    · Other verified members see it only if you choose "Matchmakers and verified members", and only once it is approved;
    · Profiles carry no name and no contact details. Only when you both tap "like" (or both accept a matchmaker's introduction) does the bot give each of you the other's Telegram contact.

    Pause or delete at any time: send /match for the menu and tap "Pause" or "Delete my profile"; /forget deletes everything the bot keeps about you.

    Only single members aged 18 or over may take part.

    Code of conduct:
    · An honest profile, and you are single;
    · Be respectful; no harassment;
    · No asking for money or loans, no advertising or selling;
    · Do not pass on other people's profiles or photos;
    · Report bad behaviour; the matchmakers will deal with it.

    Version of these rules: { $version }
mp-btn-agree = ✅ I am 18+ and agree
mp-btn-not-now = Not now
mp-consent-needed = Before your profile, please read the rules and tap "agree".
mp-consent-saved = Thank you! You have agreed to the rules.
mp-consent-later = No problem. Send /match whenever you would like to join.

mp-menu-title = 💞 Matchmaking
mp-status-none = You have no profile yet. Tap "Create my profile" to start; it takes about 5 minutes.
mp-status-draft = You have a profile half written; tap "Continue" to go on.
mp-status-pending = Your profile is waiting for a matchmaker. It is suggested to others once approved.
mp-status-approved = ✅ Your profile is approved and being suggested.
mp-status-changes =
    ✏️ A matchmaker asks you to change your profile and submit it again:
    { $note }
mp-status-rejected =
    Sorry, your profile was not approved:
    { $note }
    If you have questions, please contact the union.
mp-status-paused = ⏸ Your profile is paused: it is not suggested to anyone and you get no suggestions. Tap "Resume" to go on.
mp-status-also-paused = ⏸ Your profile is paused: it will not be suggested even once approved. Tap "Resume" to go on.
mp-status-hidden = A member reported your profile; it is not suggested until a matchmaker has looked into it.
mp-btn-create = 📝 Create my profile
mp-btn-continue = 📝 Continue
mp-btn-edit = ✏️ Edit my profile
mp-btn-view = 👀 View my profile
mp-btn-suggestions = 💌 Today's suggestions
mp-btn-events = 🎉 Socials
mp-btn-pause = ⏸ Pause
mp-btn-resume = ▶️ Resume
mp-btn-delete = 🗑 Delete my profile
mp-no-profile = You have no profile yet.
mp-paused = Paused. Your profile is not suggested to anyone and you get no suggestions. Tap "Resume" at any time.
mp-resumed = Resumed: your profile is suggested again.
mp-unchanged = Nothing changed.

mp-view-head = Your profile (as others see it, without name or contact):
mp-view-photo = Your photo
mp-view-visibility = Who can see it: { $value }

mp-intro = Let's write your profile step by step. Tap "Back" to change an answer; send /cancel to stop at any time. Please do not put phone numbers, WeChat ids or other contacts in it.
mp-resume = Your half-written profile is still here; let's go on.
mp-edit-intro = This is your profile now. Tap "Change an answer" to change something, then "Submit for review". Until a matchmaker approves it again, it is not suggested.

mp-ask-gender = Your gender?
mp-ask-birth-year = What year were you born? Four digits, for example 1995.
mp-ask-district = Which district of { $city } do you live in?
mp-ask-education = Your education?
mp-ask-occupation = What is your job? For example "courier", "factory worker", "nurse" (at most { $limit } characters).
mp-ask-height = How tall are you, in centimetres? For example 168. You may skip this.
mp-ask-intro = Say a little about yourself: your character, what you do in your free time, the life you hope for ({ $min } to { $limit } characters). Please no contact details.
mp-ask-want-gender = Would you like to meet men or women?
mp-ask-want-age = How old should the other person be? Two numbers, for example 25-35 (between { $low } and { $high }).
mp-ask-want-districts = Which districts should they live in? Choose any number, then tap "Done"; or tap "Any district".
mp-ask-want-other = Anything else you hope for in a partner? For example "does not smoke" (at most { $limit } characters). You may skip this.
mp-ask-interests = Choose your interests and what matters to you (1 to { $limit }), then tap "Done".
mp-ask-photo = Would you like to add a photo? Just send one (as a photo, not as a file). It is shown with your profile only after review. You may skip this.
mp-ask-visibility = Who may see your profile?
mp-chosen = { $count } chosen.
mp-current = Now: { $value }

mp-field-gender = Gender
mp-field-birth-year = Birth year
mp-field-district = District
mp-field-education = Education
mp-field-occupation = Job
mp-field-height = Height
mp-field-intro = About me
mp-field-want-gender = Looking for
mp-field-want-age = Their age
mp-field-want-districts = Their district
mp-field-want-other = Other wishes
mp-field-interests = Interests
mp-field-photo = Photo
mp-field-visibility = Who can see it
mp-change-choose = Which answer would you like to change?

mp-bad-empty = Nothing came through; please write it again.
mp-bad-too-long = That is a bit long: at most { $limit } characters, please.
mp-bad-too-short = Please write a little more: at least { $limit } characters.
mp-bad-year = Please write just the four digits of your birth year, for example 1995.
mp-bad-too-young = Matchmaking is only for members aged { $limit } or over. If that was a typo, please write it again.
mp-bad-too-old = That year does not look right (over { $limit } years ago); please check it.
mp-bad-height = Please write your height in centimetres, for example 168 (between { $low } and { $high }).
mp-bad-age-range = Please write two numbers for the age range, for example 25-35.
mp-bad-age-bounds = Ages must be between { $low } and { $high }, for example 25-35.
mp-bad-age-order = The first number should be the smaller one, for example 25-35.
mp-bad-too-many = At most { $limit }. To choose another, first tap one you chose to take it away.
mp-bad-too-few = Please choose at least { $limit }.
mp-use-buttons = Please tap one of the buttons below for this step.
mp-text-only = Please type your answer for this step.
mp-photo-send = Please send a photo, or tap "Skip".
mp-photo-only = Please send it as a photo (not a file, sticker or video). Tap "Skip" if you would rather not add one.
mp-photo-got = 📷 Got your photo.

mp-btn-skip = Skip
mp-btn-no-photo = No photo
mp-btn-any-district = Any district
mp-btn-done = ✅ Done
mp-btn-back = { nav-back }
mp-btn-cancel = { nav-cancel }
mp-btn-submit = ✅ Submit for review
mp-btn-change = ✏️ Change an answer
mp-btn-summary = ⬅️ Back to my profile
mp-btn-menu = 💞 Matchmaking menu
mp-summary-head = Please check your profile (this is what others see; no name, no contact):
mp-summary-photo-yes = Photo: yes
mp-summary-photo-no = Photo: no
mp-summary-hint = If it looks right, tap "Submit for review". It is suggested once a matchmaker approves it.
mp-cancelled = All right, stopped; nothing from this time was saved. Send /match whenever you like.
mp-submitted-new = ✅ Submitted! Once a matchmaker approves it you will start getting suggestions; I will tell you here.
mp-submitted-edit = ✅ Your changes are submitted. Until a matchmaker approves them, your profile is not suggested; I will tell you here.

mp-delete-ask =
    Delete your matchmaking profile? This deletes, all at once:
    · your profile and photo;
    · your likes and skips, and other members' likes and skips of you;
    · suggestions made to you and of you;
    · your matches and matchmakers' introductions;
    · open reports about you.
    Your membership check and socials sign-ups stay. This cannot be undone; you can write a new profile later.
mp-btn-delete-yes = Yes, delete
mp-btn-keep = Keep it
mp-deleted-head = 🗑 Deleted:
mp-deleted-profile = · your matchmaking profile
mp-deleted-profile-photo = · your matchmaking profile and photo
mp-deleted-draft = · your half-written profile
mp-deleted-decisions = · { $count } { $count ->
        [one] like or skip
       *[other] likes and skips
    }
mp-deleted-suggestions = · { $count } { $count ->
        [one] suggestion
       *[other] suggestions
    }
mp-deleted-pairs = · { $count } { $count ->
        [one] match
       *[other] matches
    }
mp-deleted-intros = · { $count } { $count ->
        [one] introduction
       *[other] introductions
    }
mp-deleted-reports = · { $count } { $count ->
        [one] report about you
       *[other] reports about you
    }
mp-deleted-tail = Your membership check and socials sign-ups stay. Send /match whenever you would like to join again.
mp-deleted-nothing = There was no matchmaking profile to delete.

mp-forget-item = matchmaking data (profile, photo, likes and suggestions, matches, introductions)
