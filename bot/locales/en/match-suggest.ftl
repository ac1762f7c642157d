# Matchmaking: daily suggestions, likes, blocks and reports (handlers/match/suggest.py).

ms-card-head = 💞 Today's suggestion { $count }/{ $limit }
ms-card-again = 💞 You have not answered about this member yet:
ms-card-shared = You both have: { $value }
ms-card-tail = A ❤️ is private. Only when you both like each other does the bot give each of you the other's contact.

ms-btn-like = ❤️ Like
ms-btn-skip = 👋 Skip
ms-btn-block = 🚫 Block
ms-btn-report = ⚠️ Report
ms-btn-back = { nav-return }
ms-btn-next = ➡️ Next
ms-btn-menu = 💞 Matchmaking menu
ms-btn-create = ✏️ Create my profile
ms-btn-edit = ✏️ Edit my profile
ms-btn-resume = ▶️ Resume suggestions
ms-btn-events = 🎉 Socials

ms-report-choose = Please choose a reason
ms-reason-fake = Fake profile
ms-reason-rude = Rude or harassing
ms-reason-money = Asks for money or sells things
ms-reason-married = Married or in a relationship
ms-reason-other = Something else

ms-liked = ❤️ Liked. Only you know.
    If they like you too, we will tell you both and give each of you the other's Telegram contact.
ms-skipped = Skipped. You will not be shown this member again.
ms-blocked = 🚫 Blocked. The two of you will not be shown to each other again.
ms-reported = ⚠️ Thank you for telling us. You will not be shown this profile again, and a matchmaker will look into it soon. The member is not told who reported them.
ms-already-final = You have already blocked or reported this member.
ms-private-only = Matchmaking works only in your private chat with the bot.

ms-limit = That's all { $limit } suggestions for today. Come back tomorrow!
ms-none-left = No new suggestions right now. More members are joining, so please look again in a few days.
ms-no-profile = Create a matchmaking profile first; once a matchmaker approves it, you get daily suggestions.
ms-pending = Your profile is waiting for a matchmaker. Once it is approved, you get daily suggestions.
ms-changes = A matchmaker asked you to change your profile. Edit and submit it again; once it is approved, you get daily suggestions.
ms-rejected = Your profile was not approved, so you get no suggestions for now. If you have questions, please contact the union.
ms-hidden = Your profile was reported a few times and is waiting for a matchmaker to look at it. Suggestions are paused until then.
ms-paused = You paused suggestions. Resume to see suggestions again and to be seen by others.
ms-matchmakers = Your profile is visible to matchmakers only, so you get no daily suggestions; matchmakers will introduce you. To get suggestions, edit your profile and let verified members see it too.
