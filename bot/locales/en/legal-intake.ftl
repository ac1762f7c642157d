## Legal help (the worker's side): answers first, then a guided request that opens a case

lg-menu = ⚖️ Legal help
    Type your question, e.g. "unpaid wages" or "How is overtime pay calculated?", and I'll tell you what the law says.
    Below are questions workers often ask. If you want a volunteer lawyer of the union to help, press "Ask a lawyer for help".
lg-btn-case = 📝 Ask a lawyer for help
lg-btn-case-resume = 📝 Continue my request
lg-btn-my-cases = 📂 My cases
lg-btn-related = 📖 { $title }
lg-btn-yes = 👍 It helped
lg-btn-no = 👎 Not solved
lg-disclaimer = ℹ️ This is general information, not legal advice. Every case is different; for what to do in yours, ask a lawyer or the union's legal-aid station.
lg-did-it-help = Did this answer help you?
lg-offer = Is your question one of these? Tap one to see the answer. If none fits, tell the union's volunteer lawyers what happened; they will answer you here.
lg-handover = I don't have a fitting answer here; this may not be a labour-law matter. You can call the 12348 public legal service hotline or visit your local union legal-aid station (the union rights hotline is 12351). If it concerns your work, you can also write it down for the union's volunteer lawyers.
lg-btn-none = None of these: ask a volunteer lawyer
lg-thanks = Great! If you have another question, just type it.
lg-sorry = Sorry this didn't solve your problem. You can tell the volunteer lawyers of the union's legal-aid station: press "Ask a lawyer for help" and follow the steps; a lawyer will answer you here.

li-intro = OK, let's write down what happened step by step; then it goes to a volunteer lawyer of the union's legal-aid station. You can press "Back" at every step to change an answer, and send /cancel at any time to stop.
li-intro-story = Your question is kept as what happened; you can change it before you confirm.
li-intro-category = Problem: { $category } (press "Back" to choose another)
li-resume = Your unfinished request is still here; let's carry on.
li-private-only = Please write your request in a private chat with me: tap my picture and send /legal.

li-ask-category = What kind of problem is it?
li-ask-employer = What is the name of the company or boss? (Write "unknown" if you don't know, or press "Skip".)
li-ask-place = In which city and district do you work? E.g. "Zhengzhou, Jinshui".
li-ask-start = When did you start working there? E.g. 2024-03-05; if you don't remember the day, "March 2024", "last March" or "2 years ago" is fine too. Press "Skip" if you don't remember at all.
li-ask-end = When did you stop working there? E.g. 2025-01-20, or "end of last month". If you still work there, press "Still working there".
li-ask-injury-date = On what day were you injured (or was the occupational disease diagnosed)? E.g. 2025-06-18. The deadline for applying for work-injury recognition depends on it, so please be as exact as you can.
li-ask-dismissal-date = On what day were you dismissed? E.g. 2025-05-10. If it was your last working day, press "Skip".
li-ask-amount = How much money is involved (unpaid wages or overtime, medical costs, compensation)? E.g. 18000, or 18k. Press "Skip" if you are not sure.
li-ask-story = Please tell what happened: what the boss said, what you did, where things stand now. The clearer it is, the better a lawyer can help (at least 10 characters).
li-ask-evidence = If you have evidence, please send it: labour contract, pay slips, attendance records, chat screenshots, bank transfers; photos or files (at most { $limit }, each up to 20 MB). Press "Done" when finished, or "Skip" if you have none.
li-ask-contact = How should the lawyer contact you?
li-ask-phone = Please send your mobile number, e.g. 13800138000. Or press the button below to share your Telegram number.
li-ask-consent =
    Before you submit, please confirm:
    · the volunteer lawyers of the union's legal-aid station see what you wrote and the evidence you sent, to answer you, mediate or take on your case;
    · the union keeps this request to follow it up and for statistics (without personal details);
    · the lawyer sees your name and phone number only if you agree;
    · you can send /forget at any time to delete your data.
    Do you agree?
li-ask-name = May the volunteer lawyer see your name? If not, they see only the case number.

li-field-category = Problem
li-field-employer = Employer/boss
li-field-place = Place
li-field-dates = Working dates
li-field-incident = Date it happened
li-field-amount = Amount
li-field-story = What happened
li-field-evidence = Evidence
li-field-contact = Contact
li-field-name = Show my name

li-bad-empty = I didn't get anything; please write it again.
li-bad-too-long = That's a bit long: at most { $limit } characters, please.
li-bad-too-short = Please write a little more, at least { $limit } characters, so a lawyer can understand.
li-bad-date = I couldn't read that date. Please write it like 2024-03-05, March 2024, last March or 3 months ago.
li-bad-date-future = That date has not come yet. Please give a day in the past, e.g. March 2024 or end of last month.
li-bad-end-before-start = That is earlier than the day you started; please check.
li-bad-amount = I couldn't read that amount. Please write the total, e.g. 18000 or 18k.
li-bad-phone = That number doesn't look right. Please write 7 to 20 digits, + and - allowed, e.g. 13800138000.
li-bad-contact-other = That is someone else's number. Please share your own, or type your number.
li-bad-evidence-full = A request can hold at most { $limit } pieces of evidence, that's enough. Please press "Done"; you can add more once a lawyer has taken the case.
li-bad-file-too-big = That file is too big (over { $limit } MB) for me to take. Please take a photo or send a smaller file.

li-btn-still = Still working there
li-btn-contact-bot = Only through the bot
li-btn-contact-phone = By phone
li-btn-share-phone = 📱 Share my number
li-btn-agree = ✅ I agree
li-btn-disagree = No
li-btn-name-show = Yes
li-btn-name-hide = No
li-btn-done = ✅ Done
li-btn-skip = Skip
li-btn-back = { nav-back }
li-btn-cancel = { nav-cancel }
li-btn-submit = ✅ Submit
li-btn-edit = ✏️ Change
li-btn-summary = ⬅️ Back to the summary

li-current = Your answer now: { $value }
li-evidence-count = Received so far: { $count }.
li-evidence-got = Got it; { $count } so far. Send more, or press "Done" when finished.
li-evidence-send = Please send photos or files; press "Done" when finished, or "Skip" if you have none.
li-evidence-kinds = Evidence can only be photos or files (e.g. a contract, pay slips, chat screenshots).
li-use-buttons = Please answer with the buttons below.
li-text-only = Please type your answer to this question.
li-phone-hint = 👇 Or press this button to share your number:
li-phone-saved = 📱 Number noted.
li-phone-closed = OK.
li-consent-needed = Without your consent no lawyer can see what happened, so the case cannot be opened. Everything you wrote is kept: press "I agree" when you are ready, or stop here.
li-summary-header = Please check; the lawyer will see this:
li-summary-hint = If it's right, press "Submit"; to change something, press "Change".
li-edit-choose = What would you like to change?
li-cancelled = OK, the request is dropped and what you wrote is deleted. You can start again any time.
li-submitted = ✅ Your request has been received. Case number: { $number }
li-next = What happens next: a volunteer lawyer of the union's legal-aid station will take your case. You'll be told here when someone takes it, when they have a question and when they answer, so please watch this chat. Send /my_cases to see how your cases stand and to add material.
