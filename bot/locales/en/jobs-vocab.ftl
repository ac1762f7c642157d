## gongyou — shared job vocabulary (industries, employment types, suitable-for tags, pay units) and the posting card.

industry-logistics = Logistics & delivery
industry-catering = Catering
industry-cleaning = Cleaning & sanitation
industry-manufacturing = Factory & manufacturing
industry-construction = Construction & renovation
industry-security = Security
industry-domestic = Domestic & elderly care
industry-retail = Retail
industry-driving = Driving & transport
industry-other = Other

type-full_time = Full-time
type-part_time = Part-time
type-daily = Daily / gig work
type-seasonal = Seasonal / short-term

tag-older = Older workers welcome
tag-mothers = Mothers / flexible hours
tag-no_experience = No experience needed
tag-no_degree = No degree needed
tag-room_board = Room and board

unit-hour = yuan/hour
unit-day = yuan/day
unit-month = yuan/month
unit-piece = yuan/piece
pay-negotiable = to be agreed
pay-range = { $low }-{ $high } { $unit }
pay-one = { $amount } { $unit }

flag-fee = asks the worker for a fee or deposit
flag-below_min_wage = pay below the local minimum wage
flag-no_contact = no contact given
flag-duplicate = duplicates an existing posting

status-draft = draft
status-pending = waiting for review
status-published = published
status-expired = expired
status-withdrawn = withdrawn
status-rejected = rejected

job-line = { $number }. { $title } · { $employer }
    　💰 { $pay } · 📍 { $place } · { $type }
job-card-title = 💼 { $title }
job-card-employer = Employer: { $employer }
job-card-pay = Pay: { $pay }
job-card-type = Type: { $type } · Industry: { $industry }
job-card-place = Place: { $place }
job-card-metro = Metro: { $metro }
job-card-hours = Hours: { $hours }
job-card-requirements = Requirements: { $requirements }
job-card-tags = Suits: { $tags }
job-card-expires = Apply by: { $date }
job-card-contact = 📞 Contact: { $contact }
job-card-contact-hidden = Contact: tap "Show contact" below
job-card-flags = ⚠️ Needs review: { $flags }
job-card-status = Status: { $status }
job-card-safety = Remember: an honest employer never asks for a deposit, training fee or medical-check fee before you start. If one does, tap "Report".
