## Post-station lookup

st-send-location = 📍 Send my location
st-ask-where = Send me your location and I'll find the nearest union post stations (tap "Send my location" below).
    On a computer, where you can't send a location, type a district, street or station name instead.
st-location-invalid = I couldn't read that location. Please send it again, or type the name of the place.
st-nearby-header = 📍 Union post stations nearest to you (within { $radius }):
st-none-within = No union post station within { $radius }. The nearest ones:
st-none-with-filters = No union post station has what you chose ({ $filters }). Drop the filters to see the nearest ones.
st-none-at-all = No open union post station is listed yet.
st-no-more = No more stations.
st-filter-open-now = open now
st-btn-widen = 🔭 Widen to { $radius }
st-btn-drop-filters = ❌ Drop the filters, show the nearest
st-btn-first = ⏮ Back to page 1
st-btn-district = { $district } ({ $count })
st-list-count = { $count ->
        [one] 1 station
       *[other] { $count } stations
    }, page { $page } of { $pages }
st-district-header = Union post stations in { $district }:
st-hit = { $number }. { $name }
    　{ $distance } · about { $minutes } min on foot · { $icons }
    　{ $open }
    　{ $address }
st-flag-warning = ⚠️ Workers recently reported a problem here; consider calling ahead.
st-demo-note = ℹ️ Demo data: names, addresses and locations come from public listings; amenities and opening hours are examples, check on site.
st-btn-directions = 🧭 Directions
st-btn-open-now = 🟢 Open now only
st-btn-prev = ◀ Back
st-btn-more = More ▶
st-btn-report = 📣 Report a problem
st-amenity-water = water
st-amenity-microwave = microwave
st-amenity-charging = charging
st-amenity-toilet = toilet
st-amenity-rest = seats
st-amenity-ac = air conditioning
st-amenity-wifi = wifi
st-amenity-first_aid = first aid
st-amenity-umbrella = umbrellas
st-amenity-reading = reading corner
st-not-found = That station was not found; it may have been removed.
st-card-title = 🏠 { $name }
st-card-status = Status: { $status }
st-card-address = Address: { $address } ({ $district })
st-card-address-only = Address: { $address }
st-card-hours = Opening hours: { $hours }
st-card-amenities = Amenities: { $amenities }
st-card-phone = Phone: { $phone }
st-card-phone-unknown = Phone: not on record
st-card-union = Run by: { $union }
st-card-verified = Last checked: { $date }
st-card-updated = Details updated { $date } (not yet checked on site)
st-temporarily-closed = ⛔ Temporarily closed
st-closed-for-good = ⛔ Closed
st-hours-unknown = 🕘 Opening hours: { $hours }
st-open-always = 🟢 Open 24 hours
st-open-until = 🟢 Open, closes at { $time }
st-closed-opens = 🔴 Closed now, opens { $time }
st-closed-now = 🔴 Closed now
st-tomorrow = tomorrow { $time }
st-weekday-0 = Monday { $time }
st-weekday-1 = Tuesday { $time }
st-weekday-2 = Wednesday { $time }
st-weekday-3 = Thursday { $time }
st-weekday-4 = Friday { $time }
st-weekday-5 = Saturday { $time }
st-weekday-6 = Sunday { $time }
st-metres = { $n } m
st-km = { $n } km
st-report-ask = What is wrong at { $name }?
st-report-closed = It's closed
st-report-no_water = No water
st-report-charging_broken = Charging broken
st-report-other = Something else
st-report-ask-text = Please describe the problem at { $name } briefly (up to 200 characters):
st-report-thanks = Thank you for reporting! Union staff will check.
st-report-too-long = That's too long; please keep it under 200 characters and send it again.
st-report-duplicate = You have already reported this station today, thank you! Staff will look into it.
st-search-nothing = No station found for "{ $query }". Send other words, send your location to find the nearest, or pick a district below.
st-search-nothing-anywhere = No station found for "{ $query }", and no open union post station is listed yet.
st-search-found = Stations for "{ $query }":
st-search-maybe = Nothing matched "{ $query }" exactly. Did you mean:
st-search-line = { $number }. { $name } ({ $district })
    　{ $open }
st-stats =
    Stations: { $total }
    By district:
    { $districts }
    Flagged by workers: { $flagged }
    Temporarily closed: { $temporarily } · Closed: { $closed }
    Demo data: { $demo } ({ $share })
st-flagged-none = No station is flagged right now.
st-flagged-header = Stations flagged by workers ({ $count }):
st-btn-resolve = ✅ Resolved #{ $id }
st-flag-resolved = Marked as resolved.
st-flag-not-flagged = That station has no open reports.
st-status-usage = Usage: /stations status <station id> <status>
    Statuses: { $statuses }
st-status-done = Station #{ $id } is now { $status }.
forget-item-reports = your reports about stations (the reports stay, no longer linked to you)

st-import-unsupported = Stations can't be imported from this kind of file. Please send a CSV, JSON or GeoJSON file.
st-import-too-big = The file is too big (over 20 MB); split it, or import it on the server with `gongyou import stations`.
st-import-done = Station import (coordinates { $crs }):
