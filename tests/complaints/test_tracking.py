import re

import pytest
from django.db import IntegrityError

from complaints import tracking
from complaints.models import complaint as complaint_module
from complaints.tracking import (
    ALPHABET,
    format_tracking_number,
    generate_tracking_number,
    normalise_tracking_number,
)
from tests.conftest import file_complaint

FORMAT = re.compile(r"^LMI-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def sample_numbers(count=40):
    return [generate_tracking_number() for _ in range(count)]


def test_generated_numbers_have_the_published_format():
    for number in sample_numbers(500):
        assert FORMAT.match(number), number
        assert normalise_tracking_number(number) == number


def test_alphabet_is_crockford_base32_without_confusable_letters():
    assert len(ALPHABET) == len(set(ALPHABET)) == 32
    assert not set("ILOU") & set(ALPHABET)


def test_check_character_catches_every_single_character_substitution():
    for number in sample_numbers():
        code = number.replace("LMI-", "").replace("-", "")
        for position in range(len(code)):
            for char in ALPHABET:
                if char == code[position]:
                    continue
                typo = code[:position] + char + code[position + 1:]
                assert normalise_tracking_number(typo) is None, (number, typo)


@pytest.mark.parametrize("typed", [
    "LMI-0A1B-2C3D", "lmi-0a1b-2c3d", "LMI 0A1B 2C3D", "LMI0A1B2C3D", "0A1B2C3D", "0a1b 2c3d",
    " lmi-0a1b-2c3d ", "LMI-OA1B-2C3D", "LMI-0AIB-2C3D", "LMI-0ALB-2C3D", "lmi-oalb-2c3d",
])
def test_normalisation_accepts_what_customers_type(typed):
    canonical = format_tracking_number("0A1B2C3")
    assert canonical == "LMI-0A1B-2C3D"
    assert normalise_tracking_number(typed) == canonical


@pytest.mark.parametrize("typed", ["", "LMI-0A1B-2C3", "LMI-0A1B-2C3DD", "LMI-0A1B-2C3E", "LMI-0A1B-2C3U", "hello"])
def test_normalisation_rejects_what_is_not_a_tracking_number(typed):
    assert normalise_tracking_number(typed) is None


def test_a_colliding_number_is_replaced_and_the_complaint_still_saves(customer, monkeypatch):
    first = file_complaint(customer)
    numbers = iter([first.tracking_number])

    def collide_once():
        return next(numbers, None) or tracking.generate_tracking_number()

    monkeypatch.setattr(complaint_module, "generate_tracking_number", collide_once)
    second = file_complaint(customer)

    second.refresh_from_db()
    assert second.tracking_number != first.tracking_number
    assert FORMAT.match(second.tracking_number)
    assert second.events.count() == 1


def test_saving_gives_up_after_repeated_collisions(customer, monkeypatch):
    first = file_complaint(customer)
    monkeypatch.setattr(complaint_module, "generate_tracking_number", lambda: first.tracking_number)

    with pytest.raises(IntegrityError):
        file_complaint(customer)
