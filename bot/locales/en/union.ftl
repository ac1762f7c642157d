## Union services: study grants, hardship aid, legal aid, degree classes and more (content in knowledge/data/union)

un-list = 🏛 Union services
    The union offers members (and often every worker) this help. Tap one to see who qualifies, what to prepare and where to apply:
un-unsure = I'm not sure which union service you mean. Here are all of them; tap one to have a look:
un-btn-other = 👉 { $title }
un-btn-list = 🏛 All union services
un-open-station = 🏠 Find a union post station nearby
un-open-match = 💞 Open matchmaking
un-open-legal = ⚖️ Ask a legal question
un-open-jobs = 💼 Find jobs
cmd-union = Union services: grants, aid, legal help
btn-union = 🏛 Union services
