## Legal help: what every part of the service shares (categories, outcomes, the case summary)

legal-cat-wages = Unpaid wages
legal-cat-overtime = Overtime and hours
legal-cat-contract = Labour contract
legal-cat-dismissal = Dismissal and lay-offs
legal-cat-injury = Work injury
legal-cat-insurance = Social insurance
legal-cat-resign = Quitting and final pay
legal-cat-women = Women workers' rights
legal-cat-dispatch = Agency (dispatch) work
legal-cat-platform = Platform and gig work
legal-cat-other = Something else

legal-outcome-answered = Answered
legal-outcome-mediation = Referred to mediation
legal-outcome-legal_aid = Legal aid accepted
legal-outcome-withdrawn = Withdrawn

legal-status-open = Waiting for a volunteer lawyer
legal-status-claimed = A volunteer lawyer is on it
legal-status-closed = Closed

legal-rule-arbitration = Labour arbitration must be applied for within one year of the day you knew or should have known your rights were infringed (Labour Dispute Mediation and Arbitration Law, Art. 27)
legal-rule-arbitration_wages = Pay owed while you still work there has no one-year limit, but after the job ends you must apply for arbitration within one year (Labour Dispute Mediation and Arbitration Law, Art. 27 para. 4)
legal-rule-injury = If the employer does not apply, you or your family may apply for work-injury recognition within one year of the accident or diagnosis (Regulations on Work-Related Injury Insurance, Art. 17)
legal-deadline-near = ⏰ Deadline: { $due } at the latest ({ $days } { $days ->
        [one] day
       *[other] days
    } left). { $rule }
legal-deadline-passed = ⚠️ The deadline may have passed: { $due }. { $rule }. The limit can be extended by interruption or suspension, so please still ask soon.
legal-deadline-near-about = ⏰ Deadline: about { $due } (the date is rough, so this counts from the earliest day it may be: { $days } { $days ->
        [one] day
       *[other] days
    } left). { $rule }
legal-deadline-passed-about = ⚠️ The deadline may have passed: about { $due } (the date is rough, so this counts from the earliest day it may be). { $rule }. The limit can be extended by interruption or suspension, so please still ask soon.

legal-sum-number = Case number: { $number }
legal-sum-urgent = 🔴 Urgent: a deadline is close or may have passed
legal-sum-category = Problem: { $category }
legal-sum-employer = Employer/boss: { $employer }
legal-sum-place = Place: { $place }
legal-sum-dates = Worked: { $start } to { $end }
legal-sum-still-working = still working there
legal-sum-incident = Date it happened: { $day }
legal-sum-amount = Amount involved: { $amount } yuan
legal-sum-description = What happened: { $text }
legal-sum-evidence = Evidence: { $count } { $count ->
        [one] file
       *[other] files
    }
legal-sum-contact-phone = Contact: phone { $phone }
legal-sum-contact-bot = Contact: through the bot only
legal-sum-name = Name: { $name }
legal-sum-name-hidden = Name: not shared

cmd-legal = Legal help
cmd-my_cases = My legal-help cases
help-volunteer-legal =
    Volunteer lawyers:
    /cases cases waiting (urgent first)
    /case <number> open a case: claim, release, ask the worker, close
    /kb_draft turn a good answer into an FAQ draft for staff to review
    Messages in a case's topic go to the worker (start with "//" for an internal note)
    /panel a sign-in link to the web panel
