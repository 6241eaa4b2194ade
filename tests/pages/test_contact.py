from django.urls import reverse

from .helpers import page_text


def test_contact_page_shows_the_providers_details(client, db, settings):
    text = page_text(client.get(reverse("contact")))

    for key in ("name", "postal_address", "phone", "website", "registered_office", "company_number"):
        assert settings.PROVIDER[key] in text


def test_contact_page_shows_the_scheme_from_the_database(client, provider_scheme):
    provider_scheme.name = "Communications Ombudsman"
    provider_scheme.phone = "0330 440 1614"
    provider_scheme.save()

    content = client.get(reverse("contact")).content.decode()

    assert "Communications Ombudsman" in content
    assert "Ombudsman Services" in content
    assert "PO Box 730<br>Warrington<br>WA4 6WU" in content
    assert "0330 440 1614" in content
    assert "01925 430059" in content
    assert '<a href="https://www.ombudsman-services.org">www.ombudsman-services.org</a>' in content
    assert "Otelo" not in content


def test_contact_page_renders_without_a_provider_scheme(client, provider_scheme):
    provider_scheme.is_provider_scheme = False
    provider_scheme.save()

    response = client.get(reverse("contact"))

    assert response.status_code == 200
    assert provider_scheme.name not in page_text(response)


def test_contact_page_shows_ofcoms_details(client, db):
    content = client.get(reverse("contact")).content.decode()

    assert "Ofcom, the regulator" in content
    assert "Riverside House, 2a Southwark Bridge Road, London SE1 9HA" in content
    assert '<a href="mailto:contact@ofcom.org.uk">contact@ofcom.org.uk</a>' in content
    assert "020 7981 3040" in content
    assert '<a href="https://www.ofcom.org.uk">www.ofcom.org.uk</a>' in content


def test_regulator_details_come_from_settings(client, db, settings):
    settings.REGULATOR = {**settings.REGULATOR, "phone": "0300 123 3333"}

    text = page_text(client.get(reverse("contact")))

    assert "0300 123 3333" in text
    assert "020 7981 3040" not in text


def test_changing_the_provider_setting_changes_the_footer(client, db, settings):
    settings.PROVIDER = {**settings.PROVIDER, "name": "GoTo Technologies UK Limited", "phone": "0800 000 0000"}

    content = client.get(reverse("home")).content.decode()
    footer = content[content.index("<footer"):]

    assert "GoTo Technologies UK Limited" in footer
    assert "0800 000 0000" in footer
    assert "LogMeIn Technologies UK Limited" not in footer
