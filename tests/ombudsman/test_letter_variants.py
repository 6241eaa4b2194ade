"""A batch's letters are checked once per variant, and only where that proves each letter's content.

``letters.Variant`` checks a variant's text and HTML with a wall where each letter's own words
go. What it credits must hold for every letter of the variant whatever its own words; what it
cannot prove is checked on each letter, as a letter written alone is.
"""

from django.utils import timezone

from complaints.models import Complaint
from ombudsman import letters
from ombudsman.models import LetterKind
from tests.ombudsman.conftest import file_due_complaint

FREE = [("that the scheme is free", [], ["free"])]
NAMED = [("the scheme's name", ["otelo scheme"], [])]
NUMBER = [("the tracking number", ["lmi-abcd-1234"], [])]
OWN = {name: "" for name in letters.OWN} | {"tracking_number": "LMI-ABCD-1234", "full_name": "Dom Smith"}


def variant(text, page, required):
    return letters.Variant(text, page, required)


def test_the_portals_own_templates_prove_each_letter_so_batches_check_it_once(customer, other_customer):
    complaints = [file_due_complaint(person) for person in (customer, other_customer)]
    batch = list(Complaint.objects.filter(pk__in=[c.pk for c in complaints]).select_related("customer"))
    for kind, reason in [(LetterKind.ADR, ""), (LetterKind.DEADLOCK, "Our final position stands.")]:
        press = letters.Press(kind=kind, now=timezone.now(), reason=reason)

        written = press.write_many(batch)

        assert press.variants and all(each.proven for each in press.variants.values())
        for letter, complaint in zip(written, batch, strict=True):
            own = press._own(complaint)
            assert press._variant(own, False).says(own, letters._required_of_complaint(complaint))
            required = [*letters._required_of_complaint(complaint), *press.required]
            assert letters._missing(letter.text, required) == []
            assert letters._missing(letters.html_to_text(letter.html), required) == []


def test_whole_words_against_a_letters_own_words_prove_nothing():
    # "free" then the customer's name: a name beginning "dom" would make it "freedom".
    joined = variant(["The scheme is free", "full_name", "."], ["<body>The scheme is free", "full_name", ".</body>"],
                     FREE)
    spaced = variant(["The scheme is free ", "full_name", "."], ["<body>The scheme is free ", "full_name", ".</body>"],
                     FREE)

    assert not joined.proven
    assert spaced.proven


def test_a_phrase_found_only_across_a_letters_own_words_proves_nothing():
    across = variant(["Otelo", "full_name", "scheme"], ["<body>Otelo", "full_name", "scheme</body>"], NAMED)

    assert not across.proven


def test_an_element_missing_from_the_html_alone_proves_nothing():
    text_only = variant(["The Otelo scheme."], ["<head><title>The Otelo scheme</title></head><body>Hello</body>"],
                        NAMED)

    assert not text_only.proven


def test_an_entity_left_open_before_a_letters_own_words_proves_nothing():
    # A name beginning ";" would finish the entity and change the template's own words.
    open_entity = variant(["The Otelo scheme &amp", "full_name", "."],
                          ["<body>The Otelo scheme &amp", "full_name", ".</body>"], NAMED)

    assert not open_entity.proven


def test_an_address_put_inside_a_tag_proves_nothing():
    # The HTML prints the address's line breaks as <br>: inside an attribute, the first ends the tag.
    in_an_attribute = variant(["It is free. ", "address", "."],
                              ['<body>It is free<span title="', "address", '">.</span></body>'], FREE)
    as_text = variant(["It is free. ", "address", "."], ["<body>It is free <span>", "address", "</span>.</body>"],
                      FREE)

    assert not in_an_attribute.proven
    assert as_text.proven


def test_a_complaints_element_counts_only_where_the_letter_prints_it_as_text():
    in_the_body = variant(["Your complaint ", "tracking_number", "."],
                          ["<body>Your complaint ", "tracking_number", ".</body>"], [])
    in_a_title_only = variant(["Your complaint ", "tracking_number", "."],
                              ["<head><title>", "tracking_number", "</title></head><body>Your complaint.</body>"], [])
    in_a_link_only = variant(["Your complaint ", "tracking_number", "."],
                             ['<body><a href="/', "tracking_number", '/">Your complaint</a></body>'], [])

    assert in_the_body.says(OWN, NUMBER)
    assert not in_a_title_only.says(OWN, NUMBER)
    assert not in_a_link_only.says(OWN, NUMBER)
    assert not in_the_body.says(OWN | {"tracking_number": ""}, NUMBER)
