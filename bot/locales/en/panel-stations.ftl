## The staff panel: post stations.

panel-nav-stations = Post stations
panel-stations-status-open = Open
panel-stations-status-temporarily_closed = Temporarily closed
panel-stations-status-closed = Closed for good
panel-stations-total = Stations
panel-stations-flagged = Flagged by workers
panel-stations-flag = ⚠️ flagged
panel-stations-flagged-title = Flagged stations
panel-stations-flagged-none = No station is flagged now.
panel-stations-search = Search
panel-stations-search-hint = name, district or street
panel-stations-search-note = Best matches first, as the bot finds them for workers (closed-for-good stations are not searched).
panel-stations-status = Status
panel-stations-any = Any
panel-stations-find = Find
panel-stations-count = { $count ->
    [one] 1 station
   *[other] { $count } stations
}
panel-stations-name = Name
panel-stations-district = District
panel-stations-address = Address
panel-stations-none = No station found.
panel-stations-back = ← All stations
panel-stations-hours = Opening hours
panel-stations-amenities = Amenities
panel-stations-phone = Phone
panel-stations-union = Run by
panel-stations-verified = Last checked on site
panel-stations-location = Location
panel-stations-change-status = New status
panel-stations-save = Save
panel-stations-reports = Workers' reports
panel-stations-reports-none = No reports.
panel-stations-reported = Reported
panel-stations-report = Report
panel-stations-resolved = Resolved
panel-stations-resolve = Mark resolved
panel-stations-bad-search = Please type at most 100 characters and choose a status from the list.
panel-stations-bad-status = Please choose one of the statuses in the list.
panel-stations-done-resolved = The flag was cleared and the reports marked resolved.
panel-stations-done-not-flagged = This station was not flagged (perhaps already resolved); nothing changed.
panel-stations-done-status = The status was changed.
panel-stations-done-unchanged = The station already had that status; nothing changed.
