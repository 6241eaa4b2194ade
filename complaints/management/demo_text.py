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

# A demo complaint is one of these stories, so that its product, category, messages,
# outcome, root cause and money agree: a refund only where money was wrongly taken, a credit
# for a service that did not work, and "No fault found" only on a complaint not upheld.
#
# products: "meeting" (one of our services by name) or "any" (also "Billing or my account").
# money: what is at stake, worked out from the customer's plan (Generator.words): "difference"
# (charged above the plan), "plan" (a month's fee), "seats", "months" (payments since
# cancelling), "renewal" (a year's fee), "days" (five days' fee) or "none".
# outcomes: upheld, partly or not upheld (those a story can have), each with its root cause
# (as the managers' list names it), the summary in the final answer (the money is said after
# it) and what is given: "refund" or "credit" of the amount, "refund_half" or "credit_half",
# "small_credit" (a small credit, given sometimes), "goodwill" (the same on a complaint not
# upheld: goodwill, which the reports count apart from redress), or None.
# Words in braces come from Generator.words.


class Outcome:
    def __init__(self, root_cause, summary, given=None):
        self.root_cause, self.summary, self.given = root_cause, summary, given


class Scenario:
    def __init__(self, *, products, description, desired_outcome, question, reply, note, money, outcomes,
                 team, deadlock):
        self.products, self.description, self.desired_outcome = products, description, desired_outcome
        self.question, self.reply, self.note, self.money = question, reply, note, money
        self.outcomes, self.team, self.deadlock = outcomes, team, deadlock


SCENARIOS = {
    "billing_discrepancy": (
        Scenario(
            products="any", money="difference", team="billing",
            description="My statement dated {date} charged £{charged} for {product}, but my plan is £{plan} a "
                        "month. Please explain the difference.",
            desired_outcome="Correct the bill and refund the difference.",
            question="Thank you for your patience. Could you send us a copy of the statement dated {date}, so that "
                     "we can check the charge?",
            reply="I have attached the statement. The charge of £{charged} is on the second page.",
            note="Billing history shows the plan billed at £{charged} from {date}; checking whether a price change "
                 "was applied to this account.",
            outcomes={
                "upheld": Outcome("Billing error", "We found that our billing system charged you £{charged} instead "
                                  "of £{plan}, the price of your plan. We have corrected your account.", "refund"),
                "partly": Outcome("Poor communication", "The higher charge was a new price for your plan, which we "
                                  "were allowed to make, but we did not tell you about it clearly enough.",
                                  "refund_half"),
                "not_upheld": Outcome("No fault found", "We have checked your account: the £{charged} is your plan's "
                                      "£{plan} and the extra seats added to your account in the same month. The "
                                      "charge is correct.", "goodwill"),
            },
            deadlock="We have looked at the charge again and our position is final: it is correct under the plan "
                     "on your account.",
        ),
        Scenario(
            products="any", money="plan", team="billing",
            description="I have been billed twice for {product} this month: two payments of £{plan} left my account "
                        "on {date}.",
            desired_outcome="Refund the second payment.",
            question="Could you tell us the last four digits of the card you paid with, so that we can find both "
                     "payments?",
            reply="The card ends 4471. Both payments are on my bank statement for {date}.",
            note="Two payments of £{plan} on {date}; the second looks like a retry by the payment system.",
            outcomes={
                "upheld": Outcome("Billing error", "We found both payments of £{plan} on {date}: our payment system "
                                  "took a payment again after it had gone through.", "refund"),
                "not_upheld": Outcome("No fault found", "We took one payment of £{plan} on {date}. The other payment "
                                      "on your statement was not taken by us: your bank can tell you who took it.",
                                      None),
            },
            deadlock="We have checked our payment records again: we took one payment on {date}. This is our final "
                     "position.",
        ),
        Scenario(
            products="meeting", money="seats", team="billing",
            description="My invoice of {date} includes {seats} extra seats on {product} that nobody here uses.",
            desired_outcome="Remove the extra seats and refund them.",
            question="Could you tell us who administers the {product} account, so that we can check who added "
                     "the seats?",
            reply="I am the only administrator. Nobody else can add seats.",
            note="{seats} seats added at renewal on {date}; no request for them in the account log.",
            outcomes={
                "upheld": Outcome("Billing error", "The {seats} extra seats were added by mistake when your plan "
                                  "renewed. We have removed them.", "refund"),
                "not_upheld": Outcome("No fault found", "The {seats} seats were added from your administrator's "
                                      "login on {date}. We have explained how to remove seats you do not need.",
                                      None),
            },
            deadlock="Our records show the seats were added from your account's own login. This is our final "
                     "position.",
        ),
    ),
    "service_fault": (
        Scenario(
            products="meeting", money="plan", team="technical",
            description="{product} disconnects after about {minutes} minutes in every session, so I cannot finish "
                        "a call.",
            desired_outcome="Fix the fault and credit me for the time it did not work.",
            question="Could you tell us which version of {product} you use, and roughly when the problem last "
                     "happened?",
            reply="It happened again this morning, at about 9.30. I am using the latest version.",
            note="Session logs show disconnections after {minutes} minutes from this account; raised with "
                 "engineering.",
            outcomes={
                "upheld": Outcome("Service outage or fault", "Our engineers found a fault on one of our servers that "
                                  "ended sessions after {minutes} minutes, and fixed it.", "credit"),
                "partly": Outcome("Third-party supplier", "Some of the disconnections came from a fault at one of "
                                  "our network suppliers, which is now fixed; the others came from your local "
                                  "network.", "credit_half"),
                "not_upheld": Outcome("No fault found", "We tested your account and our service and found no fault: "
                                      "the disconnections came from your local network. We have sent you settings "
                                      "that should help.", "goodwill"),
            },
            deadlock="We have tested our service again and found no fault on our side. This is our final position.",
        ),
        Scenario(
            products="meeting", money="plan", team="technical",
            description="Since the update on {date} I cannot sign in to {product}: it says my account is locked.",
            desired_outcome="Unlock my account and credit me for the days I could not use it.",
            question="Could you tell us the email address you sign in with, and whether you see an error code?",
            reply="I sign in with my usual address. The message says the account is locked, with no code.",
            note="Account locked on {date} by the update's security check; unlocked it.",
            outcomes={
                "upheld": Outcome("Process not followed", "Your account was locked by mistake during our update on "
                                  "{date}. We have unlocked it.", "credit"),
                "not_upheld": Outcome("No fault found", "Your account locked itself after several wrong passwords, "
                                      "as it is designed to. We have unlocked it and explained how to reset your "
                                      "password.", None),
            },
            deadlock="The lock was our security check working as it should. This is our final position.",
        ),
        Scenario(
            products="meeting", money="plan", team="technical",
            description="The audio in {product} drops out for everyone on the call several times an hour.",
            desired_outcome="Fix the audio.",
            question="Could you tell us whether the people on your calls use the app or dial in by phone?",
            reply="Most of them dial in by phone. It happens whichever number they use.",
            note="Audio bridge errors for this account's calls; dial-in lines over the plan's limit.",
            outcomes={
                "upheld": Outcome("Service outage or fault", "We found a fault in our audio service that affected your "
                                  "calls, and fixed it.", "credit"),
                "not_upheld": Outcome("Product limitation", "The audio drops when more people dial in than your plan "
                                      "allows. That is how the plan works, not a fault. We have sent you the plans "
                                      "that allow more callers.", None),
            },
            deadlock="The drop-outs come from your plan's limit on callers, not a fault. This is our final position.",
        ),
    ),
    "cancellation": (
        Scenario(
            products="any", money="months", team="accounts",
            description="I asked to cancel {product} on {date} and I am still being charged £{plan} a month.",
            desired_outcome="Stop the charges and refund what I paid after I asked to cancel.",
            question="Could you tell us how you asked to cancel (by phone, chat or email), so that we can find "
                     "your request?",
            reply="I used the chat on your website on {date}. I have attached the transcript.",
            note="Chat transcript of {date} confirms the request to cancel; it was never actioned.",
            outcomes={
                "upheld": Outcome("Process not followed", "You asked to cancel on {date}, but we did not act on your "
                                  "request. We have cancelled your account from that date.", "refund"),
                "not_upheld": Outcome("No fault found", "We have no request to cancel from you before today, and the "
                                      "chat you sent us was about changing your plan. We have cancelled your account "
                                      "now. As our terms say, payments already made are not refunded.", None),
            },
            deadlock="We have found no request to cancel before the payments were taken. This is our final position.",
        ),
        Scenario(
            products="any", money="none", team="accounts",
            description="Your website would not let me cancel {product}: the cancel button gives an error every "
                        "time.",
            desired_outcome="Cancel my account and confirm it in writing.",
            question="Could you tell us which web browser you use, so that we can try the cancel button the same "
                     "way?",
            reply="I use Firefox on a laptop. I tried on my phone as well.",
            note="Cancel button failing for accounts with a saved card; fix released.",
            outcomes={
                "upheld": Outcome("Service outage or fault", "The cancel button had a fault, which we have fixed. We "
                                  "have cancelled your account from the day you first tried and written to confirm "
                                  "it.", None),
            },
            deadlock="We have cancelled the account as you asked and cannot offer more. This is our final position.",
        ),
        Scenario(
            products="any", money="renewal", team="accounts",
            description="I cancelled {product} by phone on {date} but the account is still active and renewed "
                        "itself.",
            desired_outcome="Cancel the account now and refund the renewal.",
            question="Could you tell us roughly what time you called us on {date}, so that we can find the call?",
            reply="It was mid-morning, about 11. The call lasted ten minutes.",
            note="Call on {date} found: the agent did not record the cancellation.",
            outcomes={
                "upheld": Outcome("Process not followed", "Our agent did not record the cancellation you asked for "
                                  "on {date}, so your plan renewed. We have cancelled it.", "refund"),
                "not_upheld": Outcome("No fault found", "In the call on {date} you asked about cancelling but chose "
                                      "to keep the account. We have cancelled it now. Under your contract the renewal "
                                      "is not refunded.", None),
            },
            deadlock="Our record of the call shows you chose to keep the account. This is our final position.",
        ),
    ),
    "refund": (
        Scenario(
            products="any", money="plan", team="billing",
            description="On {date} your agent promised me a refund of £{amount} for {product}. It has not arrived.",
            desired_outcome="Pay the refund I was promised.",
            question="Could you tell us roughly what time you spoke to our agent on {date}, so that we can find "
                     "the call?",
            reply="It was in the afternoon, about 3pm.",
            note="Refund of £{amount} promised on {date} but never raised.",
            outcomes={
                "upheld": Outcome("Process not followed", "Our agent promised you a refund on {date}, but it was "
                                  "never sent.", "refund"),
                "not_upheld": Outcome("No fault found", "We sent your refund of £{amount} on the day we promised it, "
                                      "to the card ending 4471. Your bank should be able to find it.", None),
            },
            deadlock="Our records show the refund was paid to your card. This is our final position.",
        ),
        Scenario(
            products="any", money="renewal", team="billing",
            description="I was charged £{amount} for a {product} renewal after I had cancelled. I want the money "
                        "back.",
            desired_outcome="Refund the renewal in full.",
            question="Could you tell us the date you cancelled, so that we can compare it with the renewal?",
            reply="I cancelled on {date}, a week before the renewal.",
            note="Cancellation recorded on {date}; billing renewed the plan regardless.",
            outcomes={
                "upheld": Outcome("Billing error", "We recorded your cancellation on {date}, but our billing system "
                                  "renewed the plan anyway.", "refund"),
                "not_upheld": Outcome("No fault found", "The renewal was charged before you cancelled, and under your "
                                      "contract it is not refunded.", "goodwill"),
            },
            deadlock="The renewal was charged before you cancelled. This is our final position.",
        ),
        Scenario(
            products="meeting", money="days", team="technical",
            description="{product} was down for most of a week and I was told I would get a partial refund. Nothing "
                        "yet.",
            desired_outcome="Pay the partial refund for the days it did not work.",
            question="Could you tell us the days {product} did not work for you?",
            reply="From the Monday to the Friday of that week. I could not hold any meetings.",
            note="Outage confirmed for five days on this account's region.",
            outcomes={
                "upheld": Outcome("Service outage or fault", "{product} did not work for five days because of a fault "
                                  "on our side, and the refund we promised was not sent.", "refund"),
                "partly": Outcome("Third-party supplier", "{product} did not work for part of that week because of a "
                                  "fault at one of our suppliers; on the other days it worked.", "refund_half"),
            },
            deadlock="We have refunded the days our service did not work. This is our final position.",
        ),
    ),
    "customer_service": (
        Scenario(
            products="any", money="none", team="customer care",
            description="I have called support {calls} times about {product} and each time I was promised a call "
                        "back that never came.",
            desired_outcome="A call back from a manager and an apology.",
            question="Could you tell us the best number and time to call you?",
            reply="Any weekday after 2pm, on the number on my account.",
            note="Three call-back requests logged; none was assigned.",
            outcomes={
                "upheld": Outcome("Poor communication", "You should have had a call back each time and did not. A "
                                  "manager called you, and we have given feedback to the team.", "small_credit"),
                "not_upheld": Outcome("No fault found", "Our records show we called you back each time and left "
                                      "messages. We have noted the best time to call you.", None),
            },
            deadlock="Our records show the call backs were made. This is our final position.",
        ),
        Scenario(
            products="any", money="none", team="customer care",
            description="The agent I spoke to on {date} was rude and ended the chat when I asked for a manager.",
            desired_outcome="An apology, and someone to deal with my question.",
            question="Could you send us the chat transcript, or tell us roughly when the chat was?",
            reply="I have attached the transcript. The chat was on {date} around lunchtime.",
            note="Transcript reviewed: the chat was ended by the agent.",
            outcomes={
                "upheld": Outcome("Poor communication", "We have read the chat: the agent should not have ended it. "
                                  "We have given the agent feedback and answered your question.", None),
                "partly": Outcome("Poor communication", "We have read the chat: the agent should have passed you to a "
                                  "manager, but the chat ended because the connection dropped.", None),
            },
            deadlock="We have apologised and answered your question, and cannot do more. This is our final "
                     "position.",
        ),
    ),
    "privacy": (
        Scenario(
            products="any", money="none", team="data protection",
            description="I keep getting marketing emails about {product} although I opted out on {date}.",
            desired_outcome="Stop the emails and confirm I am off your marketing lists.",
            question="Could you forward us one of the emails, so that we can see which list sent it?",
            reply="I have forwarded the latest one.",
            note="Opt-out of {date} never reached the marketing system.",
            outcomes={
                "upheld": Outcome("Process not followed", "Your opt-out on {date} did not reach our marketing system. "
                                  "We have taken you off every marketing list.", None),
            },
            deadlock="We have taken you off every list and cannot do more. This is our final position.",
        ),
        Scenario(
            products="any", money="none", team="data protection",
            description="I asked for a copy of my personal data on {date} and have not received it.",
            desired_outcome="Send me my data and explain the delay.",
            question="Could you tell us how you asked for your data, so that we can find your request?",
            reply="I emailed your privacy address on {date}.",
            note="Request of {date} was not logged as a subject access request.",
            outcomes={
                "upheld": Outcome("Process not followed", "Your request was not passed to our data protection team. "
                                  "We have now sent you a copy of your data.", None),
            },
            deadlock="We have sent you your data. This is our final position.",
        ),
    ),
    "other": (
        Scenario(
            products="meeting", money="difference", team="accounts",
            description="My {product} account was moved to a new plan at £{charged} a month without anyone asking "
                        "me.",
            desired_outcome="Put my account back on my old plan, at £{plan}.",
            question="Could you tell us when you first saw the new plan on your account?",
            reply="On my statement of {date}.",
            note="Plan migration of {date} moved this account without the required notice.",
            outcomes={
                "upheld": Outcome("Process not followed", "We moved your account to a new plan without telling you "
                                  "first. We have put it back on your old plan.", "refund"),
                "not_upheld": Outcome("No fault found", "Your old plan ended on {date}, and we wrote to you a month "
                                      "before to say which plan would replace it. The new price is correct.", None),
            },
            deadlock="We told you about the new plan a month before it started. This is our final position.",
        ),
        Scenario(
            products="any", money="none", team="accounts",
            description="Your letter of {date} about {product} does not make sense and nobody can explain it to me.",
            desired_outcome="An explanation in plain English.",
            question="Could you send us a copy of the letter, so that we can see which one it is?",
            reply="I have attached a photo of the letter.",
            note="Letter of {date} was the wrong template for this account.",
            outcomes={
                "upheld": Outcome("Poor communication", "We sent you the wrong letter on {date}. We have explained "
                                  "what it should have said, and corrected the letter for other customers.", None),
            },
            deadlock="We have explained the letter as fully as we can. This is our final position.",
        ),
    ),
}

# A second exchange, after the story's own question and reply: it fits every story.
FOLLOW_UP_QUESTION = ("Thank you for that. Is there anything else we should know before we finish looking into "
                      "this?")
FOLLOW_UP_REPLY = "No, that is everything I have. Please let me know what happens next."

STAFF_UPDATES = (
    "An update: our {team} team is still looking into this. We will write to you again within five working days.",
    "We are sorry this is taking longer than we hoped. Our {team} team is still looking into it, and we will "
    "update you soon.",
)

WITHDRAWALS = ("Sorted out now, thank you.", "I no longer need this looked at.", "Resolved with my bank instead.")
