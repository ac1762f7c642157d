## Dates known only roughly (bot/core/when.py), and amounts of money (bot/core/amounts.py)

when-month = { $year }年{ $month }月
when-year = { $year }年
