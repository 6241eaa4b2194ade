"""Words for demo data: names, places and what customers and agents write.

Only ``seed_demo`` uses this. Every phrase is fiction; phone numbers are in Ofcom's drama
range and email addresses under example.com, so nothing here can reach a real person.
"""

FIRST_NAMES = (
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Freya", "Florence", "Grace",
    "Sophia", "Ella", "Evie", "Poppy", "Willow", "Rosie", "Aisha", "Priya", "Zara", "Chloe",
    "Noah", "Oliver", "George", "Arthur", "Muhammad", "Leo", "Harry", "Oscar", "Archie", "Henry",
    "Theo", "Jack", "Charlie", "Freddie", "Alfie", "Thomas", "James", "Joshua", "Rhys", "Callum",
    "Fraser", "Euan", "Siobhan", "Niamh", "Ciaran", "Dylan", "Gareth", "Bethan", "Kwame", "Tomasz",
    "Agnieszka", "Raj", "Sunita", "Yusuf", "Fatima", "Hannah", "Daniel", "Samuel", "Ruth", "Margaret",
)

LAST_NAMES = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson",
    "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall",
    "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill",
    "Ward", "Morris", "Moore", "Clark", "Lee", "King", "Baker", "Harrison", "Morgan", "Allen",
    "Khan", "Ahmed", "Ali", "Singh", "Begum", "MacDonald", "Campbell", "Stewart", "Murray", "O'Brien",
    "Kowalski", "Nowak", "Okafor", "Mensah", "Chen", "Nguyen", "Fletcher", "Shaw", "Pritchard", "Lloyd",
)

# (town, postcode area, streets)
TOWNS = (
    ("London", "SE", ("Walworth Road", "Camberwell Grove", "Peckham Rye")),
    ("London", "N", ("Holloway Road", "Stroud Green Road", "Seven Sisters Road")),
    ("Leeds", "LS", ("Kirkstall Road", "Otley Road", "Roundhay Road")),
    ("Manchester", "M", ("Wilmslow Road", "Deansgate", "Oldham Street")),
    ("Birmingham", "B", ("Bristol Road", "Soho Road", "Moseley Road")),
    ("Bristol", "BS", ("Gloucester Road", "Whiteladies Road", "North Street")),
    ("Glasgow", "G", ("Byres Road", "Pollokshaws Road", "Duke Street")),
    ("Edinburgh", "EH", ("Leith Walk", "Morningside Road", "Easter Road")),
    ("Cardiff", "CF", ("Cowbridge Road East", "City Road", "Albany Road")),
    ("Belfast", "BT", ("Lisburn Road", "Ormeau Road", "Antrim Road")),
    ("Newcastle upon Tyne", "NE", ("Chillingham Road", "Shields Road", "Westgate Road")),
    ("Norwich", "NR", ("Unthank Road", "Magdalen Street", "Dereham Road")),
    ("Plymouth", "PL", ("Mutley Plain", "Embankment Road", "Union Street")),
    ("Sheffield", "S", ("Ecclesall Road", "London Road", "Abbeydale Road")),
)

BUSINESS_SUFFIXES = ("Ltd", "& Co", "Consulting", "Studio", "Partners LLP", "Services Ltd", "Dental Practice")

POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

# The products of Complaint.Product each complaint category is usually about, most likely first.
MEETING_PRODUCTS = ("gotomeeting", "gotowebinar", "gotomypc", "gotoassist", "gototraining")

DESCRIPTIONS = {
    "billing_discrepancy": (
        "My statement dated {date} charged £{amount} for {product}, but my plan is £{plan} a month. "
        "Please explain the difference.",
        "I have been billed twice for {product} this month: two payments of £{plan} left my account on {date}.",
        "My invoice of {date} includes {seats} extra seats on {product} that nobody in my household uses.",
        "The price of {product} went up to £{amount} without any notice from you. I never agreed to it.",
    ),
    "service_fault": (
        "{product} disconnects after about {minutes} minutes in every session, so I cannot finish a call.",
        "Since the update on {date} I cannot sign in to {product}: it says my account is locked.",
        "The audio in {product} drops out for everyone on the call several times an hour.",
        "{product} has not worked on my laptop since {date}; I reinstalled it twice as support suggested.",
    ),
    "cancellation": (
        "I asked to cancel {product} on {date} and I am still being charged £{plan} a month.",
        "Your website would not let me cancel {product}: the cancel button gives an error every time.",
        "I cancelled {product} by phone on {date} but the account is still active and renewed itself.",
    ),
    "refund": (
        "On {date} your agent promised me a refund of £{amount} for {product}. It has not arrived.",
        "I was charged £{amount} for a {product} renewal I had cancelled. I want the money back.",
        "{product} was down for most of a week and I was told I would get a partial refund. Nothing yet.",
    ),
    "customer_service": (
        "I have called support {calls} times about {product} and each time I was promised a call back that "
        "never came.",
        "The agent I spoke to on {date} was rude and ended the chat when I asked for a manager.",
        "I emailed about {product} on {date} and nobody has replied.",
    ),
    "privacy": (
        "I keep getting marketing emails about {product} although I opted out on {date}.",
        "I asked for a copy of my personal data on {date} and have not received it.",
        "I received someone else's {product} invoice by email, with their name and address on it.",
    ),
    "other": (
        "I am unhappy with how my {product} account was moved to a new plan without asking me.",
        "Your letter of {date} about {product} does not make sense and nobody can explain it to me.",
    ),
}

DESIRED_OUTCOMES = {
    "billing_discrepancy": ("Correct the bill and refund the difference.", "Refund the duplicate payment.",
                            "Put me back on the price I signed up for."),
    "service_fault": ("Fix the fault and credit me for the time it did not work.",
                      "Make it work again, or let me leave without a penalty."),
    "cancellation": ("Cancel the account now and refund what I paid since I asked.",
                     "Confirm the cancellation in writing."),
    "refund": ("Pay the refund I was promised.", "Refund the renewal in full."),
    "customer_service": ("A call back from a manager and an apology.", "Someone to actually deal with this."),
    "privacy": ("Stop contacting me and confirm my data is removed from marketing lists.",
                "Send me my data and explain the delay.", "Tell me what happened and make sure it cannot recur."),
    "other": ("An explanation in plain English.", "Put my account back as it was."),
}

STAFF_QUESTIONS = (
    "Thank you for your patience. Could you send us a copy of the statement, or the last four digits of the "
    "card you paid with, so we can trace the payment?",
    "Thanks for the details. Could you tell us the version of {product} you use and roughly when the problem "
    "last happened?",
    "We have passed this to our {team} team. Could you confirm the best time to call you?",
)

CUSTOMER_REPLIES = (
    "Here are the details you asked for. Please get this sorted.",
    "It happened again this morning, at about 9.30. I am using the latest version.",
    "Any weekday after 2pm is fine. This has taken far too long already.",
    "I have sent everything I have. Please tell me what happens next.",
)

STAFF_UPDATES = (
    "An update: our {team} team has confirmed the problem and is working on it. We will write again within "
    "five working days.",
    "We are sorry this is taking longer than we hoped. We are still investigating and will update you soon.",
)

PROPOSALS = (
    "We are sorry. We have corrected your account and will refund £{amount} within 5 working days.",
    "We have fixed the fault and added a credit of £{amount} to your account for the disruption.",
    "We apologise for the poor service you received. We have given feedback to the team and credited £{amount}.",
    "We have confirmed the cancellation in writing and refunded £{amount}.",
)

# Final answers, by whether the complaint was upheld.
RESOLUTIONS = {
    "upheld": (
        "We found that you were charged in error. We have corrected your account and refunded the difference.",
        "Our engineers found and fixed the fault that caused your problem with {product}.",
        "We should have dealt with your request when you first made it. We have now done so.",
    ),
    "partly": (
        "Part of the charge was wrong and we have refunded it; the rest was correct under your plan.",
        "The fault was on our side for part of the time; the rest was caused by your local network.",
    ),
    "not_upheld": (
        "We have checked your account carefully and the charges are correct under the plan you agreed to.",
        "We could not find a fault on our side; we have explained the settings that should help.",
    ),
}

WITHDRAWALS = ("Sorted out now, thank you.", "I no longer need this looked at.", "Resolved with my bank instead.")

DEADLOCK_POSITIONS = (
    "We have looked at this again and our position is final: the charges were made under the contract you "
    "agreed to. You can now take your complaint to the ombudsman, free of charge.",
    "We are unable to offer more than the credit already applied. This is our final response; you may refer "
    "your complaint to the ombudsman.",
)

NOTES = (
    "Checked the billing history: two charges on the same day, second one looks like a retry.",
    "Logs show repeated disconnects from the customer's region; raised with engineering.",
    "Customer sounded very frustrated on the phone; please keep them updated weekly.",
)

TEAMS = ("billing", "technical", "accounts", "customer care")
