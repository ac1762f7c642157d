## gongyou — membership check and member roster import (bot/membership/roster.py, handlers/membership.py). Every key here must also exist in zh/membership.ftl.

## The check: card number and name, then the worker's own phone

mv-intro = This service is for union members only, so first a one-minute check: type your member card number and name, which are matched against the union's roster; then share your own phone number with the button, to confirm it is you.
    We keep only an encrypted "fingerprint" of the card number and name — never the card number itself, and not your phone number.
mv-ask-card = Please type your union member card number (the number on your membership card):
mv-ask-name = Please type the name the card is registered to:
mv-matched = ✅ That matches the roster!
mv-ask-phone = Last step: press the "📱 Share my phone number" button below the typing box to confirm this Telegram account is yours. The number is only used to check, not kept.
mv-resume = Let's go on with your membership check:
mv-phone-keyboard = 👇 Just press this button:
mv-btn-share = 📱 Share my phone number
mv-btn-cancel = { nav-cancel }
mv-btn-back = ⬅️ Type the card number again
mv-verified = ✅ Done! You are now a verified member.
mv-cancelled = OK, the membership check is cancelled. You can start again any time.
mv-no-match = The card number and name do not match the roster. Please check them and try again. Tries left today: { $left }.
mv-no-match-last = The card number and name do not match the roster.
mv-name-latin = Tip: you typed the name in Latin letters (pinyin). If your membership card shows the name in Chinese characters, please type it in Chinese characters exactly as it is written on the card.
mv-limit = You have used all of today's tries. Please try again tomorrow. If you are sure the card number and name are right, contact your union or the union office to check the roster.
mv-card-in-use = This membership card is already linked to another Telegram account. To move it to this account, please contact the union office.
mv-bad-too-long = That is too long: { $limit } characters at most.
mv-bad-card-empty = I could not read a card number. Please type the number on your membership card.
mv-bad-card-long = A card number has at most { $limit } characters. Please check the number on your card.
mv-bad-name-empty = I could not read a name. Please type the name the card is registered to.
mv-phone-typed = No need to type your number: press the "📱 Share my phone number" button below the typing box, so we know the account is yours.
mv-phone-other = That is someone else's contact. Please press "📱 Share my phone number" to share your own number.
mv-hint-card = Please type your member card number.
mv-hint-name = Please type your name.
mv-hint-phone = Please press "📱 Share my phone number" to share your own number.
mv-private-only = The membership check happens in a private chat: tap my name and send me a message there.
mv-forget-verification = your membership verification (the link to your card's fingerprint)
mv-forget-attempts = your membership check attempts

## Member roster import (gongyou import members)

mv-import-summary = Member roster imported: { $rows } rows read, { $added } members added, { $existing } already in the roster, { $rejected } rows rejected.
mv-import-summary-dry-run = Dry run, nothing was saved: { $rows } rows read, { $added } members would be added, { $existing } already in the roster, { $rejected } rows rejected.
mv-import-replaced = The roster now matches the file: { $removed } members removed, { $revoked } verifications revoked because their card is no longer in the roster.
mv-import-replaced-dry-run = Replacing the roster would remove { $removed } members and revoke { $revoked } verifications whose card is no longer in the roster.
mv-import-rejected-heading = Rejected rows ({ $count }):
mv-import-line = Line { $line }: { $reason }
mv-import-more = … and { $count } more
mv-import-refused = The member roster was not imported: { $reason }
mv-demo-key-warning = Note: GONGYOU_MEMBER_KEY is not set, so the public demo key is used; it is only fit for demo data. Set a secret key before importing a real roster. Changing the key later makes the imported roster and existing verifications stop matching, and the roster must be imported again.

mv-row-missing-card = no member card number
mv-row-missing-name = no name
mv-row-card-too-long = the card number is longer than { $limit } characters
mv-row-name-too-long = the name is longer than { $limit } characters
mv-row-duplicate = the same card number as line { $first }

mv-file-empty = The file is empty: there are no members in it.
mv-file-too-large = The file is too large ({ $detail }); 50 MB at most. Please split it into several files.
mv-file-too-many-rows = The file has too many rows; { $detail } at most. Please split it into several files.
mv-file-encoding = The file's text encoding cannot be read. Please save it as Excel (.xlsx) or as a UTF-8 CSV file.
mv-file-binary = This is not a spreadsheet. Please use an Excel (.xlsx) or CSV file.
mv-file-old-excel = This is an old Excel (.xls) file. Please "Save as" .xlsx or CSV in Excel and import that.
mv-file-bad-xlsx = This Excel file cannot be opened; it may be damaged. Please save it again and retry.
mv-file-no-header = No header found: the file needs a card number column ("会员卡号", "会员证号", "卡号" or card number) and a name column ("姓名", "名字" or name).
mv-file-no-rows = The file has no usable member row; replacing the roster with it would empty the roster, so nothing was imported.
mv-file-unreadable = The file cannot be read: { $detail }
