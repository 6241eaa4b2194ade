"""Give the demo desk a morning's work: saved replies, and a customer's two complaints to handle.

Run by ``bin/run`` after ``seed_demo``; it does what it has not done yet, so running it again
changes nothing. Everything is written through the real services, so timelines, emails and
the queue's fields are what an agent would see in production.
"""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import PreferredContact, PreferredFormat, User
from complaints import services
from complaints.models import Category, Channel, Product
from desk import services as desk_services
from desk.models import SavedReply
from desk.saved_replies import save_saved_reply

SAVED_REPLIES = (
    ("Thank you: we are looking into it",
     "Dear {customer_name},\n\nThank you for your message about complaint {tracking_number}. I am looking into it "
     "now and will write again within two working days.\n\nIf we have not resolved your complaint by "
     "{adr_date}, you may ask {scheme_name} to look at it, free of charge ({scheme_website}).\n\n{agent_name}"),
    ("Please send the invoice",
     "Dear {customer_name},\n\nTo check the charge, please send us a copy of the invoice (a PDF, or a photo of "
     "the paper one) by replying on your complaint page.\n\n{agent_name}"),
    ("When you can go to the ombudsman",
     "Dear {customer_name},\n\nYou can take complaint {tracking_number} to {scheme_name} from {adr_date}, "
     "{waiting_period} after you first complained, or sooner if we send you a deadlock letter. You can reach "
     "them on {scheme_phone} or at {scheme_website}.\n\n{agent_name}"),
)
# The demo customer's matter, complained about by phone first and then on the web.
MATTER = "I was charged twice for GoToMeeting in November."
# A customer with no email, who asked for large print: their acknowledgement waits in the print queue.
BY_POST = {"full_name": "Pat Postlethwaite", "address": "4 Mill Lane\nHebden Bridge", "postcode": "HX7 8AB",
           "phone": "01422 800123"}


class Command(BaseCommand):
    help = "Add saved replies and a demo morning's complaints and letters to the desk (once)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with PORTAL_ENV=production.")

    def handle(self, *args, force, **options):
        if settings.PRODUCTION and not force:
            raise CommandError("Refusing to load demo data with PORTAL_ENV=production (use --force to insist).")
        people = {user.email: user for user in User.objects.filter(
            email__in=("agent@example.com", "manager@example.com", "customer@example.com"))}
        if len(people) < 3:
            raise CommandError("Run manage.py seed_demo first: it creates the demo accounts.")
        agent, manager, customer = (people[email] for email in
                                    ("agent@example.com", "manager@example.com", "customer@example.com"))
        with transaction.atomic():
            added = self.saved_replies(manager)
            morning = self.morning(agent=agent, customer=customer)
            self.letter_by_post(agent=agent)
        self.stdout.write(f"Desk demo: {added} saved replies added; "
                          + ("a customer's reply and a phone complaint to merge are waiting for "
                             f"{agent.full_name}." if morning else "the morning's complaints were already there."))

    def saved_replies(self, manager):
        added = 0
        for title, body in SAVED_REPLIES:
            if not SavedReply.objects.filter(title=title).exists():
                save_saved_reply(reply=SavedReply(title=title, body=body), actor=manager)
                added += 1
        return added

    def morning(self, *, agent, customer):
        """File the customer's web complaint (which they have just replied on) and its phone twin."""
        if customer.complaints.filter(description__startswith=MATTER).exists():
            return False
        now = timezone.now()
        phoned = services.file_complaint(
            customer=customer, product=Product.BILLING_ACCOUNT, category=Category.BILLING_DISCREPANCY,
            description=f"{MATTER} Rang the helpline about it.", desired_outcome="A refund of the second charge.",
            channel=Channel.PHONE, received_at=now - timedelta(days=2), logged_by=agent,
            backdate_reason="Logged from the call notes of the day she rang.",
        )
        services.assign_complaint(complaint=phoned, agent=agent, actor=agent)
        online = services.file_complaint(
            customer=customer, product=Product.BILLING_ACCOUNT, category=Category.BILLING_DISCREPANCY,
            description=f"{MATTER} Nobody has refunded the second payment.",
            desired_outcome="Refund the second payment and tell me why it happened.",
        )
        services.assign_complaint(complaint=online, agent=agent, actor=agent)
        services.request_information(complaint=online, agent=agent,
                                     body="Could you send us the two bank statement lines?")
        services.add_customer_message(complaint=online, customer=customer,
                                      body="Both payments were on 3 November, £29.00 each.")
        return True

    def letter_by_post(self, *, agent):
        """Log a letter from a customer who gets large-print letters by post (once)."""
        if User.objects.filter(full_name=BY_POST["full_name"], is_staff=False).exists():
            return
        customer = User(**BY_POST, preferred_contact=PreferredContact.POST,
                        preferred_format=PreferredFormat.LARGE_PRINT, support_consent_at=timezone.now(),
                        accessibility_needs="Large print, please: I am partially sighted.")
        desk_services.log_complaint(
            agent=agent, customer=customer, product=Product.GOTOWEBINAR, category=Category.SERVICE_FAULT,
            description="My webinar on 2 December cut off after twenty minutes, with forty people watching.",
            desired_outcome="A month's refund and an explanation.", channel=Channel.LETTER,
            received_at=timezone.now() - timedelta(days=1),
            backdate_reason="The letter is dated and was delivered yesterday.",
        )
