"""Reading a message: its summary, automatic mail, who vouches for the sender, its words and its files."""

from email.message import EmailMessage

import pytest

from complaints.tracking import format_tracking_number
from mailin import parse

AUTHSERV = "mx.portal.example"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _our_mail_server(settings):
    settings.MAIL_IN_AUTHSERV_ID = AUTHSERV


def message(text="My line drops every evening.", sender="Dana Customer <Dana.Customer@Example.com>", **headers):
    built = EmailMessage()
    built["From"] = sender
    built["To"] = "complaints@portal.example"
    built["Subject"] = "My broadband"
    for name, value in headers.items():
        del built[name.replace("_", "-")]
        built[name.replace("_", "-")] = value
    built.set_content(text)
    return built


def read(built):
    return parse.read(built.as_bytes())


# --- the summary the fetch saves -------------------------------------------------------------------


def test_the_summary_gives_the_address_alone_in_lower_case_and_the_subject_decoded():
    raw = (b"From: =?utf-8?q?Dana_Cust=C3=B3mer?= <Dana.Customer@Example.COM>\r\n"
           b"Subject: =?utf-8?b?TXkgYnJvYWRiYW5kIOKAkyBhZ2Fpbg==?=\r\nMessage-ID: <abc@example.com>\r\n\r\nHello")

    assert parse.summary(raw) == {"message_id": "<abc@example.com>", "from_address": "dana.customer@example.com",
                                  "subject": "My broadband – again"}


def test_the_summary_cuts_a_long_subject_to_300_characters():
    assert len(parse.summary(b"Subject: " + b"x" * 1000 + b"\r\n\r\n")["subject"]) == 300


@pytest.mark.parametrize("raw", [
    b"\x00\xff\xfe not an email at all",
    b"From: <<<>>>@@ ,,, \r\nSubject: =?bogus?q?x?= \xff\r\nMessage-ID: garbage <<\r\n\r\n",
    b"From: a@example.com, b@example.com\r\n\r\n",
    b"",
])
def test_the_summary_of_a_malformed_message_never_fails(raw):
    summary = parse.summary(raw)

    assert summary["from_address"] == ""
    assert "\x00" not in "".join(summary.values())


# --- automatic mail --------------------------------------------------------------------------------


@pytest.mark.parametrize(("headers", "says"), [
    ({"Auto-Submitted": "auto-replied"}, "Auto-Submitted: auto-replied"),
    ({"Precedence": "bulk"}, "Precedence: bulk"),
    ({"List-Id": "<news.example.com>"}, "List-Id"),
    ({"List-Unsubscribe": "<mailto:leave@example.com>"}, "List-Unsubscribe"),
    ({"Return-Path": "<>"}, "empty Return-Path"),
    ({"X-Autoreply": "yes"}, "X-Autoreply"),
    ({"X-Autorespond": "Out of office"}, "X-Autorespond"),
])
def test_automatic_mail_is_recognised_by_its_headers(headers, says):
    assert says in read(message(**headers)).automatic


def test_auto_submitted_no_is_a_person_writing():
    assert read(message(Auto_Submitted="no")).automatic == ""


def test_a_delivery_status_report_and_mail_from_the_mailer_daemon_are_bounces():
    report = EmailMessage()
    report["From"] = "Mail Delivery System <MAILER-DAEMON@mx.example.com>"
    report.set_content("Your message could not be delivered.")
    report.make_mixed()
    report.set_type("multipart/report")
    report.set_param("report-type", "delivery-status")

    assert "report-type=delivery-status" in read(report).automatic
    assert "A bounce from mailer-daemon@example.com" in read(message(sender="MAILER-DAEMON@example.com")).automatic
    assert "postmaster@example.com" in read(message(sender="postmaster@example.com")).automatic


# --- who vouches for the sender --------------------------------------------------------------------


@pytest.mark.parametrize(("results", "vouched"), [
    (f"{AUTHSERV}; dmarc=pass (p=reject) header.from=example.com", True),
    (f"{AUTHSERV.upper()} 1; spf=fail; dmarc=pass", True),
    (f"{AUTHSERV}; dkim=pass header.d=example.com header.s=selector", True),
    (f"{AUTHSERV}; dmarc=fail header.from=example.com; dkim=fail header.d=example.com", False),
    # DMARC for another domain than the From's, and DKIM by a stranger or a subdomain, vouch for nothing.
    (f"{AUTHSERV}; dmarc=pass header.from=elsewhere.example", False),
    (f"{AUTHSERV}; dkim=pass header.d=mailer.example", False),
    (f"{AUTHSERV}; dkim=pass header.d=mail.example.com", False),
    (f"{AUTHSERV}; dkim=pass (good signature) header.d=com", False),
    # A sender's own header naming another server is never read.
    ("mx.sender.example; dmarc=pass header.from=example.com; dkim=pass header.d=example.com", False),
    (f"mx.sender.example; x={AUTHSERV}; dmarc=pass", False),
])
def test_only_our_servers_dmarc_pass_or_an_aligned_dkim_pass_vouches_for_the_sender(results, vouched):
    built = message(sender="dana@example.com", Authentication_Results=results)

    assert bool(read(built).authenticated) is vouched


def test_a_dkim_signature_by_a_parent_domain_is_aligned():
    built = message(sender="dana@mail.example.com",
                    Authentication_Results=f"{AUTHSERV}; dkim=pass header.d=example.com")

    assert read(built).authenticated == f"dkim=pass by example.com ({AUTHSERV})"


def test_a_second_header_from_another_server_is_ignored_beside_ours():
    built = message(sender="dana@example.com", Authentication_Results=f"{AUTHSERV}; dmarc=fail")
    built["Authentication-Results"] = "mx.forger.example; dmarc=pass header.from=example.com"

    assert read(built).authenticated == ""


def test_without_our_servers_name_nobody_is_vouched_for(settings):
    settings.MAIL_IN_AUTHSERV_ID = ""
    built = message(sender="dana@example.com", Authentication_Results="; dmarc=pass header.from=example.com")

    assert read(built).authenticated == ""


# --- what it answers ---------------------------------------------------------------------------------


def test_the_message_ids_it_answers_come_nearest_first():
    built = message(In_Reply_To="<parent@portal>", References="<root@portal> <middle@portal> <parent@portal>")

    assert read(built).references == ["<parent@portal>", "<middle@portal>", "<root@portal>"]


def test_a_valid_tracking_number_in_the_subject_is_read_however_it_is_written():
    number = format_tracking_number("ABCDEFG")
    built = message(Subject=f"Re: We have received your complaint {number.lower().replace('-', ' ')}")

    assert (read(built).tracking_number, read(built).bad_tracking_number) == (number, "")


def test_a_tracking_number_whose_check_character_is_wrong_is_reported_not_read():
    number = format_tracking_number("ABCDEFG")
    forged = number[:-1] + ("0" if number[-1] != "0" else "1")

    reading = read(message(Subject=f"Re: {forged}"))

    assert (reading.tracking_number, reading.bad_tracking_number) == ("", forged)


# --- the words -------------------------------------------------------------------------------------


@pytest.mark.parametrize("history", [
    "On Mon, 7 Dec 2026 at 10:00, Complaints <complaints@portal.example> wrote:\n> We have received it.\n",
    "On Mon, 7 Dec 2026 at 10:00 Complaints <\ncomplaints@portal.example> wrote:\n\n> We have received it.\n",
    "-----Original Message-----\nFrom: Complaints\nSent: 07 December 2026 10:00\nWe have received it.\n",
    "________________________________\nFrom: Complaints <complaints@portal.example>\nSent: Monday\nSubject: x\n",
    "From: Complaints <complaints@portal.example>\nSent: Monday, 7 December 2026 10:00\nTo: Dana\n\nWe have it.\n",
])
def test_quoted_history_is_trimmed(history):
    text = f"Here is the bill you asked for.\n\nThanks,\nDana\n\n{history}"

    assert parse.trim(text) == "Here is the bill you asked for.\n\nThanks,\nDana"


def test_quoted_lines_between_the_customers_own_are_left_out_and_the_signature_cut():
    text = "> Can you send the bill?\nYes, attached.\n> And the date?\nThe 3rd.\n-- \nDana Customer\n07700 900001"

    assert parse.trim(text) == "Yes, attached.\nThe 3rd."


def test_the_plain_text_is_read_in_preference_to_the_html():
    built = message("The plain words.")
    built.add_alternative("<p>The <b>HTML</b> words.</p>", subtype="html")

    reading = read(built)

    assert (reading.text, reading.html_only) == ("The plain words.", False)


def test_html_only_mail_gives_its_words_without_any_markup_for_an_agent():
    built = message()
    built.set_content("<style>p {color: red}</style><p>My <b>bill</b> &amp; my line</p><script>alert(1)</script>",
                      subtype="html")

    reading = read(built)

    assert (reading.text, reading.html_only, reading.html_text) == ("", True, "My bill & my line")


def test_text_in_an_encoding_other_than_the_one_declared_is_unreadable():
    raw = b"From: dana@example.com\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nCaf\xe9 \xff\r\n"
    unknown = b"From: dana@example.com\r\nContent-Type: text/plain; charset=x-martian\r\n\r\nHello\r\n"

    assert "not in the encoding it declares (utf-8)" in parse.read(raw).unreadable
    assert "x-martian" in parse.read(unknown).unreadable


def test_a_multipart_message_without_its_parts_is_unreadable():
    raw = b"From: dana@example.com\r\nContent-Type: multipart/mixed\r\n\r\nno boundary here\r\n"

    assert "structure is broken" in parse.read(raw).unreadable


def test_long_text_is_cut_to_what_a_web_form_takes():
    assert len(read(message("word " * 5_000)).text) == parse.MAX_TEXT


# --- the files -------------------------------------------------------------------------------------


def test_files_are_checked_as_web_uploads_are():
    built = message()
    built.add_attachment(PDF, maintype="application", subtype="pdf", filename="../../bill.pdf")
    built.add_attachment(b"MZ\x90\x00", maintype="application", subtype="octet-stream", filename="invoice.exe")
    built.add_attachment(b"not really", maintype="application", subtype="pdf", filename="fake.pdf")

    reading = read(built)

    assert [(file.name, file.content_type, file.read()) for file in reading.attachments] == [
        ("bill.pdf", "application/pdf", PDF)]
    assert reading.refused == [
        "“invoice.exe” can’t be attached: we accept PDF, PNG and JPEG files only.",
        "“fake.pdf” is not a real PDF, PNG or JPEG file (its contents don’t match its name).",
    ]


def test_more_files_than_the_web_form_takes_are_refused(settings):
    settings.ATTACHMENT_MAX_FILES = 2
    built = message()
    for number in range(3):
        built.add_attachment(PDF, maintype="application", subtype="pdf", filename=f"bill{number}.pdf")

    reading = read(built)

    assert reading.refused == ["It has 3 files; the web form takes up to 2 at a time."]


def test_a_forwarded_message_is_one_file_never_read_as_the_customers_words():
    forwarded = message("Words of the forwarded message.")
    built = message("See the email below.")
    built.add_attachment(forwarded)

    reading = read(built)

    assert reading.text == "See the email below."
    assert reading.refused == ["“forwarded-message.eml” can’t be attached: we accept PDF, PNG and JPEG files only."]
