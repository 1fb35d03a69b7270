"""A coordinator logs in, imports a CSV export and sees the students in their classes."""

from __future__ import annotations

import pytest

from tests.conftest import Factory
from wijscan.models import Role

pytestmark = pytest.mark.e2e

EXPORT = (
    "\ufeffLeerlingnummer;Roepnaam;Tussenvoegsel;Achternaam;Klas;Niveau\r\n"
    "100001;Aya;;Bakker;1A;havo\r\n"
    "100002;Daan;de;Vries;1A;havo\r\n"
    "100003;Noor;van;Dijk;2B;vwo\r\n"
)


def test_coordinator_imports_students_and_sees_them_in_their_classes(
    live_server, page, make, tmp_path
):
    school = make.school("Het Testcollege")
    make.staff(school, Role.COORDINATOR, email="coord@test.school", name="Carla Coördinator")
    export = tmp_path / "export.csv"
    export.write_text(EXPORT, encoding="utf-8")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/")
    page.get_by_label("E-mailadres").fill("coord@test.school")
    page.get_by_label("Wachtwoord").fill(Factory.password)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("heading", name="Goedendag, Carla Coördinator").wait_for()

    page.get_by_role("link", name="Leerlingen importeren").first.click()
    page.get_by_label("Export uit het leerlingvolgsysteem (CSV)").set_input_files(str(export))
    page.get_by_role("button", name="Controleren en importeren").click()
    page.get_by_text("3 rijen verwerkt.").wait_for()

    page.get_by_role("link", name="Naar de klassen").click()
    page.get_by_role("link", name="1A", exact=True).click()
    page.get_by_role("heading", name="Leerlingen (2)").wait_for()
    body = page.locator("main").inner_text()
    assert "Aya Bakker" in body
    assert "Daan de Vries" in body
    assert "Noor van Dijk" not in body

    page.goto(f"{live_server}/klassen")
    page.get_by_role("link", name="2B", exact=True).click()
    assert "Noor van Dijk" in page.locator("main").inner_text()
