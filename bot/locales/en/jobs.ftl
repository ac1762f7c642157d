## gongyou — finding work: the jobs menu, search and filters, posting cards, reports, expiry notices.

jobs-menu = 💼 Jobs: choose one.
jobs-btn-find = 🔎 Find jobs
jobs-btn-alerts = 🔔 My job alerts
jobs-btn-post = 📝 Post a job
jobs-btn-review = 🗂 Review queue
jobs-btn-broadcast = 📣 Broadcast
jobs-btn-broadcast-status = 📊 Broadcast status

jobs-results-filters = 🔎 Looking for: { $filters }
jobs-results-count = { $count } { $count ->
        [one] job
       *[other] jobs
    } found (page { $page }), newest first:
jobs-results-page = Page { $page }, best matches first:
jobs-results-none = No matching jobs. Try other filters or words.
jobs-filter-any = anything
jobs-keywords-label = words “{ $keywords }”
jobs-pay-at-least = at least { $amount } yuan a month
jobs-btn-prev = ◀ Previous
jobs-btn-next = Next ▶
jobs-btn-district = 📍 District
jobs-btn-line = 🚇 Metro
jobs-btn-industry = 🏭 Industry
jobs-btn-type = 🕘 Type
jobs-btn-tags = 👥 Suitable for
jobs-btn-pay = 💰 Pay
jobs-btn-keywords = ⌨️ Type words
jobs-btn-clear = 🧹 Clear filters
jobs-btn-any = Any
jobs-btn-back = ↩️ Back to results
jobs-choose-district = Choose a district:
jobs-choose-line = Choose a metro line:
jobs-choose-industry = Choose an industry:
jobs-choose-type = Choose how the job is offered:
jobs-choose-tags = Choose who it should suit (several allowed; all must apply):
jobs-choose-pay = Minimum pay (daily and hourly pay counted per month; "to be agreed" is listed too):
jobs-choose-none = There is nothing to choose yet.
jobs-ask-keywords = Type a few words, e.g. “security” or “warehouse night” (at most 50 characters). Send /cancel to stop.
jobs-text-only = Please answer in text, or send /cancel to stop.

jobs-gone = This job has been taken down or has expired; have a look at the others.
jobs-btn-contact = 📞 Show contact
jobs-btn-report = ⚠️ Report this job
jobs-report-ask = What is wrong with this job ({ $title })?
jobs-report-scam = A scam, or asks for money
jobs-report-closed = Filled or no longer hiring
jobs-report-other = Something else
jobs-report-ask-text = Please say briefly what is wrong (at most 300 characters). Send /cancel to stop.
jobs-report-thanks = Thank you for the report; union staff will check it.
jobs-report-duplicate = You have already reported this job, thank you.
jobs-report-too-long = That is too long; please keep it under 300 characters and press “Report” again.

jobs-expired-notice = { $count } of your job postings passed their closing date and were taken down:
    { $titles }
    If you are still hiring, please post them again.

jobs-forget-views = the record of which job contacts you looked at
jobs-forget-reports = your reports about jobs (the reports stay, no longer linked to you)
