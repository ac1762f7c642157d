## gongyou — job list import (gongyou import jobs and job lists uploaded by staff). Every key must also exist in zh/jobimport.ftl.

ji-done = Job list import:
ji-summary = Import finished: { $added } jobs added, { $updated } updated, { $unchanged } unchanged, { $rejected } rows rejected.
ji-summary-dry-run = Dry run, nothing was saved: { $added } jobs would be added, { $updated } updated, { $unchanged } unchanged, { $rejected } rows rejected.
ji-outcome = { $published } published, { $held } waiting for review; { $alerts } alerts queued for matching job seekers.
ji-outcome-dry-run = { $published } would be published, { $held } would wait for review (a dry run sends no alerts).
ji-employers-added = { $count } new { $count ->
        [one] employer
       *[other] employers
    } registered (not yet verified).
ji-held-heading = Jobs that need staff review ({ $count }), see /review_jobs:
ji-held-line = Row { $line } "{ $title }": { $flags }
ji-rejected-heading = Rejected rows ({ $count }):
ji-warnings-heading = Warnings ({ $count }):
ji-line = Row { $line }: { $reason }
ji-more = … and { $count } more
ji-file-refused = The job list was not imported: { $reason }

## Rejected rows

ji-missing-title = the job title is missing
ji-missing-employer = the employer is missing
ji-text-too-long = text too long ({ $detail } characters)
ji-expired = the closing date { $detail } has already passed
ji-bad-date = unreadable closing date "{ $detail }" (write it like 2026-12-31)

## Warnings (the row was still imported)

ji-unknown-industry = unknown industry "{ $detail }", filed under "other"
ji-unknown-type = unknown employment type "{ $detail }", taken as full-time
ji-salary-unread = could not read the pay "{ $detail }"; shown as written and treated as negotiable
ji-duplicate-row = the same job (employer, title and district) as row { $detail }; row { $detail } is kept
ji-ignored-columns = these columns were not used: { $detail }

## The whole file could not be imported

ji-file-empty = The file is empty; it has no jobs.
ji-file-too-large = The file is too large ({ $detail }); the limit is 20 MB. Please split it into several files.
ji-file-too-many-rows = The file has too many rows; the limit is { $detail }. Please split it into several files.
ji-file-encoding = The file's text encoding is not recognised. Please save it as Excel (.xlsx) or as a UTF-8 CSV file.
ji-file-binary = This is not a spreadsheet. Please upload an Excel (.xlsx) or CSV file.
ji-file-old-excel = This is an old Excel (.xls) file. Please use "Save as" .xlsx or CSV in Excel and upload it again.
ji-file-bad-xlsx = This Excel file cannot be opened and may be damaged ({ $detail }). Please save it again and re-upload it.
ji-file-no-title-column = There is no job title column (it can be called 岗位, 职位, 岗位名称, 招聘岗位 or title). The first row is: { $detail }
ji-file-no-employer-column = There is no employer column (it can be called 单位, 公司, 企业, 用工单位, 招聘单位 or employer). The columns are: { $detail }
ji-file-unreadable = Cannot read the file: { $detail }
