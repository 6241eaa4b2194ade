"""The real objects the access matrix tests fill every URL's arguments with."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.models import PreferredContact
from desk.models import AccessKind, ComplaintAccess
from ombudsman import services as adr_services
from ombudsman.models import Scheme
from privacy import services as privacy_services
from privacy.models import SubjectAccessRequest
from tests.conftest import file_complaint
from tests.security.test_access_matrix import AGENT, ANON, MANAGER, OTHER, OWNER

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def world(customer, other_customer, agent, manager):
    """Real objects to fill every URL's arguments: a complaint with a file, letters, a referral."""
    customer.preferred_contact = PreferredContact.POST
    customer.save()
    upload = SimpleUploadedFile("bill.pdf", PDF_BYTES, content_type="application/pdf")
    complaint = file_complaint(customer, received_at=timezone.now() - timedelta(days=60), attachments=[upload])
    letter = adr_services.declare_deadlock(complaint=complaint, actor=agent, reason="Final position.")
    referral = adr_services.record_referral(complaint=complaint, actor=customer, referred_on=timezone.localdate(),
                                            case_reference="OS-1")
    sar = privacy_services.record_subject_access_request(
        sar=SubjectAccessRequest(customer=customer, channel="email", received_at=timezone.now()), actor=manager)
    privacy_services.generate_subject_access_export(sar=sar, actor=manager)
    # The customer has letters posted; another's complaint brings an email.
    email = file_complaint(other_customer).emails.get()
    access = ComplaintAccess.objects.create(staff=agent, complaint=complaint, kind=AccessKind.COMPLAINT_PAGE)
    clients = {ANON: Client()}
    for persona, user in ((OWNER, customer), (OTHER, other_customer), (AGENT, agent), (MANAGER, manager)):
        clients[persona] = Client()
        clients[persona].force_login(user)
    objects = {
        "complaints_complaint": complaint.pk, "complaints_outgoingemail": email.pk,
        "accounts_user": customer.pk, "ombudsman_letter": letter.pk, "ombudsman_referral": referral.pk,
        "ombudsman_scheme": Scheme.objects.provider_scheme().pk, "privacy_subjectaccessrequest": sar.pk,
        "desk_complaintaccess": access.pk,
    }
    return {"complaint": complaint, "attachment": complaint.attachments.get(), "letter": letter,
            "postal": complaint.postal_letters.first(), "sar": sar, "objects": objects, "clients": clients,
            "customer": customer}
