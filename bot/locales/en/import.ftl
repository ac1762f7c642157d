## gongyou — importing post stations (gongyou import stations and staff uploads). Every key here must also be in zh/import.ftl.

import-summary = Import done: { $added } stations added, { $updated } updated, { $unchanged } unchanged, { $rejected } rejected.
import-summary-dry-run = Dry run, nothing was saved: { $added } stations would be added, { $updated } updated, { $unchanged } unchanged, { $rejected } rejected.
import-rejected-heading = Rejected ({ $count }):
import-warnings-heading = Warnings ({ $count }):
import-line = line { $line }: { $reason }
import-item = item { $line }: { $reason }
import-more = … and { $count } more
import-file-refused = The file was not imported: { $reason }

## Rejected rows

import-missing-name = no station name
import-missing-coordinates = no latitude and longitude
import-invalid-coordinates = latitude and longitude are not valid numbers ({ $detail })
import-swapped-coordinates = latitude and longitude seem to be the wrong way round ({ $detail })
import-outside-globe = latitude or longitude is out of range ({ $detail })
import-outside-china = this coordinate system only applies inside China, but the point is outside it ({ $detail })
import-not-a-point = the location is not a point ({ $detail })
import-text-too-long = text too long ({ $detail } characters)
import-invalid-value = a value cannot be read ({ $detail })
import-duplicate = same station as no. { $detail } above; only the first is kept

## Warnings (the row was still imported)

import-unknown-amenity = unknown facility "{ $detail }", ignored
import-unknown-status = unknown status "{ $detail }", status left as it was
import-invalid-date = unreadable verification date "{ $detail }", ignored
import-hours-unparsed = opening hours "{ $detail }" not understood, shown as written
import-ignored-columns = these columns were not used: { $detail }
import-far-from-district = far from the other stations of its district ({ $detail } from the middle of them): please check the coordinates; imported as given
import-outside-city = outside { $detail } on the map: please check the coordinates; imported as given

## The whole file cannot be imported

import-file-empty = The file is empty: it has no stations.
import-file-too-large = The file is too large ({ $detail }); the limit is 20 MB. Please split it into several files.
import-file-too-many-rows = The file has too many rows; the limit is { $detail }. Please split it into several files.
import-file-encoding = The file's text encoding is not recognised. Please save it as a UTF-8 CSV file.
import-file-binary = This is not a text file. Please upload a CSV, JSON or GeoJSON file.
import-file-spreadsheet = This is an Excel spreadsheet. Please use "Save as" CSV (comma delimited) in Excel and import that.
import-file-bad-json = The JSON is not valid: { $detail }
import-file-not-a-list = A JSON file must be a list of stations, or {"{"}"stations": [...]{"}"}.
import-file-not-an-object = Item { $detail } of the JSON file is not an object ({"{"}...{"}"}).
import-file-not-feature-collection = A GeoJSON file must be a FeatureCollection of Point features.
import-file-no-name-column = There is no station name column (it may be called 名称, 站点名称, 驿站名称 or name). The columns are: { $detail }
import-file-no-coordinate-columns = There are no latitude and longitude columns (经度 and 纬度, or lng and lat). The columns are: { $detail }
import-file-unreadable = The file cannot be read: { $detail }
