# Matchmaking: choices, cards and contact screening shared by every part (bot/match/core.py).

match-gender-m = Man
match-gender-f = Woman
match-want-m = a man
match-want-f = a woman
match-want-a = anyone
match-education-primary = Primary school
match-education-middle = Middle school
match-education-high = High school / technical secondary
match-education-vocational = Vocational school
match-education-college = College diploma
match-education-bachelor = Bachelor's degree
match-education-master = Master's or higher
match-interest-cooking = Cooking
match-interest-sports = Sports and fitness
match-interest-music = Music and singing
match-interest-movies = Films
match-interest-reading = Reading
match-interest-travel = Travel
match-interest-games = Games
match-interest-outdoors = Hiking and the outdoors
match-interest-pets = Pets
match-interest-crafts = Crafts
match-interest-dancing = Dancing
match-interest-photography = Photography
match-interest-family = Family first
match-interest-honesty = Steady and honest
match-interest-kindness = Kind and caring
match-interest-thrift = Careful with money
match-interest-ambition = Ambitious
match-interest-faith = Has a faith
match-visibility-matchmakers = Matchmakers only
match-visibility-members = Matchmakers and verified members
match-any-district = any district

match-card-number = Profile no. { $number }
match-card-head = { $gender }, { $age }, { $place }
match-card-education = Education: { $value }
match-card-occupation = Work: { $value }
match-card-height = Height: { $value } cm
match-card-interests = Interests and values: { $value }
match-card-intro = About me: { $value }
match-card-wants = Looking for: { $gender }, { $low }–{ $high } years old, { $districts }
match-card-want-other = Other wishes: { $value }

match-contact-phone = The text seems to contain a phone number.
match-contact-wechat = The text seems to contain a WeChat id.
match-contact-qq = The text seems to contain a QQ number.
match-contact-link = The text seems to contain a link.
match-contact-email = The text seems to contain an e-mail address.
match-contact-handle = The text seems to contain a Telegram username.
match-contact-why = To protect everyone, contact details are exchanged by the bot only after both sides agree. Please take it out and send the text again.

match-pair-member = this member
match-pair-like = 💞 You like each other! Their Telegram: { $contact }
    Tap the name to open a chat. Meet in a public place and stay safe; you can report bad behaviour to the matchmakers at any time.
match-pair-intro = 💞 The member the matchmaker introduced agreed to meet you too! Their Telegram: { $contact }
    Tap the name to open a chat. Meet in a public place and stay safe; you can report bad behaviour to the matchmakers at any time.

cmd-match = Matchmaking (members)
help-volunteer-match =
    Matchmakers:
    /match review review members' profiles (approve, ask for changes, reject)
    /match reports handle reported profiles
    /match intro <profile no.> <profile no.> [note] introduce two members (contacts only if both agree)
