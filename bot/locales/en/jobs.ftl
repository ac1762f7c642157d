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
    } found, page { $page } of { $pages }, { $order }:
jobs-results-page = Page { $page }, { $order }:
jobs-order-newest = newest first
jobs-order-best = best matches first
jobs-results-none = No job matches all of these. Drop one of them (each button says how many jobs that finds), or set an alert and hear when a matching job is posted.
jobs-results-none-together = No job matches all of these, nor with any one of them dropped. See all jobs, or set an alert and hear when a matching job is posted.
jobs-results-none-at-all = No jobs are open right now. Set an alert and hear when one is posted.
jobs-results-no-more = No more jobs.
jobs-btn-drop = ❌ Without { $condition } ({ $count ->
        [one] 1 job
       *[other] { $count } jobs
    })
jobs-btn-see-all = 📋 See all jobs
jobs-btn-alert = 🔔 Tell me when one is posted
jobs-btn-first = ⏮ Back to page 1
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
jobs-btn-back = { nav-return }
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

jobs-expired-notice = { $count ->
        [one] One of your job postings passed its closing date and was taken down:
       *[other] { $count } of your job postings passed their closing date and were taken down:
    }
    { $titles }
    { $count ->
        [one] If you are still hiring, please post it again.
       *[other] If you are still hiring, please post them again.
    }

jobs-forget-views = the record of which job contacts you looked at
jobs-forget-reports = your reports about jobs (the reports stay, no longer linked to you)
