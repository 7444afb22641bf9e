"""The registration form in the field, on a 360 px phone: a validation error does not cost the KTP
photo, what was typed survives a reload and a lost connection, nothing of it stays readable after
*Keluar*, and a camera photo goes up small."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from playwright.sync_api import Page, Request, expect

from enrollment.models import Farmer
from tests.conftest import UMPUNGENG
from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.test_register_flow import NIK, assert_fits_the_phone, fill_the_rest, open_registration, type_nik

pytestmark = pytest.mark.e2e

REGISTER = "/petani/daftar/"
DRAFT_PREFIX = "sutasoma-draft:"
# The data plan: a 4000×3000 camera photo (3–5 MB) goes up as roughly 200–300 KB.
UPLOAD_BUDGET = range(150 * 1024, 320 * 1024)


@pytest.fixture(scope="module")
def camera_photo(tmp_path_factory) -> Path:
    """A 4000×3000 JPEG like a phone's: a card with print on a lit table, and sensor grain."""
    width, height = 4000, 3000
    photo = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    photo = Image.blend(photo, Image.new("RGB", (width, height), (150, 120, 90)), 0.6)
    draw = ImageDraw.Draw(photo)
    draw.rounded_rectangle((500, 500, 3500, 2400), radius=80, fill=(170, 200, 230))
    font = ImageFont.load_default(size=90)
    for line in range(14):
        draw.text((600, 600 + line * 120), f"PROVINSI SULAWESI SELATAN  {line:02d}", fill=(30, 30, 40), font=font)
    texture = Image.effect_noise((width // 6, height // 6), 60).resize((width, height), Image.Resampling.BICUBIC)
    photo = Image.blend(photo, texture.convert("RGB"), 0.15)
    photo = Image.blend(photo, Image.effect_noise((width, height), 60).convert("RGB"), 0.15)
    path = tmp_path_factory.mktemp("kamera") / "IMG_20261130_101500.jpg"
    photo.save(path, format="JPEG", quality=90)
    return path


def register_posts(page: Page) -> list[Request]:
    posts: list[Request] = []
    page.on("request", lambda r: posts.append(r) if r.method == "POST" and r.url.endswith(REGISTER) else None)
    return posts


def wait_until(page: Page, expression: str) -> None:
    """Poll an expression from outside the page: Playwright's wait_for_function evaluates strings
    inside it, which the CSP (no eval) rightly refuses."""
    for _ in range(TIMEOUT_MS // 100):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"never true: {expression}")


def drafts(page: Page) -> dict[str, str]:
    return page.evaluate(
        f"Object.fromEntries(Object.entries(localStorage).filter(([k]) => k.startsWith('{DRAFT_PREFIX}')))"
    )


def test_a_nik_typed_before_the_scripts_arrived_is_still_checked_and_kept(
    page: Page, log_in, agent_user, browser_errors
):
    # On a slow connection the page can be typed into before its scripts have come: htmx then takes
    # the NIK it finds for one already checked (birth date and sex never filled in), and the draft
    # heard no input to keep.
    log_in(page, agent_user)
    held = []
    for script in ("**/htmx-2.min.js", "**/js/field.js"):
        page.route(script, lambda route: held.append(route))
    page.goto(REGISTER, wait_until="commit")
    type_nik(page, NIK)
    assert len(held) == 2  # both still on their way while the whole NIK was typed
    for route in held:
        route.continue_()

    expect(page.get_by_label("Tanggal lahir")).to_have_value("1990-01-05")
    expect(page.get_by_label("Perempuan")).to_be_checked()
    wait_until(page, f"Object.keys(localStorage).some(k => k.startsWith('{DRAFT_PREFIX}'))")
    assert browser_errors == []


def test_a_draft_survives_a_closed_tab_and_is_offered_back(page: Page, log_in, agent_user, browser_errors):
    log_in(page, agent_user)
    open_registration(page)
    type_nik(page, NIK)
    expect(page.get_by_label("Tanggal lahir")).to_have_value("1990-01-05")  # the NIK check came back
    page.get_by_label("Nama sesuai KTP").fill("hasnah")
    page.get_by_label("Desa/kelurahan").select_option(UMPUNGENG)
    page.get_by_label("Petani sudah menyetujui").check()
    wait_until(page, f"Object.keys(localStorage).some(k => k.startsWith('{DRAFT_PREFIX}'))")
    stored = "".join(drafts(page).values())
    assert NIK not in stored and "hasnah" not in stored  # sealed, not in clear

    again = page.context.new_page()  # the tab closed, another opened later
    page.close()
    again.goto(REGISTER)
    offer = again.get_by_role("region", name="Lanjutkan isian tersimpan?")
    expect(offer).to_be_visible()
    expect(again.get_by_label("NIK", exact=True)).to_have_value("")
    assert_fits_the_phone(again)
    offer.get_by_role("button", name="Lanjutkan").tap()

    expect(offer).to_be_hidden()
    expect(again.get_by_label("NIK", exact=True)).to_have_value(NIK)
    expect(again.get_by_label("Nama sesuai KTP")).to_have_value("hasnah")
    expect(again.get_by_label("Desa/kelurahan")).to_have_value(UMPUNGENG)
    expect(again.get_by_label("Perempuan")).to_be_checked()
    expect(again.get_by_label("Petani sudah menyetujui")).to_be_checked()
    assert browser_errors == []


def test_a_send_without_connection_says_so_and_goes_on_the_retry(
    page: Page, log_in, agent_user, ktp_jpeg, browser_errors, outbox_kicks
):
    log_in(page, agent_user)
    open_registration(page)
    type_nik(page, NIK)
    # Birth date and sex come from the NIK check: going offline before it answers leaves them
    # empty, which is what failed twice on loaded CI machines (the server said so at both fields).
    expect(page.get_by_label("Tanggal lahir")).to_have_value("1990-01-05")
    fill_the_rest(page, ktp_jpeg)

    page.context.set_offline(True)
    page.get_by_role("button", name="Daftarkan").click()

    notice = page.get_by_role("alert").filter(has_text="Tidak ada sambungan internet")
    expect(notice).to_be_visible()
    expect(page.get_by_role("button", name="Daftarkan")).to_be_enabled()
    expect(page.get_by_label("Nama sesuai KTP")).to_have_value("hasnah")
    assert not Farmer.objects.exists()

    page.context.set_offline(False)
    page.get_by_role("button", name="Daftarkan").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("HASNAH")
    assert Farmer.objects.get(nik=NIK).ktp_image
    # The one failure is the probe the browser reports as it fails; nothing else went wrong.
    assert [e for e in browser_errors if "ERR_INTERNET_DISCONNECTED" not in e] == []


def test_keluar_leaves_no_draft_on_the_phone_and_its_key_dies_with_the_session(
    page: Page, log_in, agent_user, browser_errors
):
    log_in(page, agent_user)
    open_registration(page)
    key = page.locator("form[data-draft]").get_attribute("data-draft-key")
    type_nik(page, NIK)
    wait_until(page, f"Object.keys(localStorage).some(k => k.startsWith('{DRAFT_PREFIX}'))")
    sealed = drafts(page)

    page.get_by_role("button", name="Keluar").click()
    expect(page).to_have_url(re.compile(r"/masuk/"))
    assert drafts(page) == {}

    # Even a draft that escaped the deletion (the session simply expired) opens no more: the next
    # session has another key, and the page drops what it cannot open.
    page.evaluate("([k, v]) => localStorage.setItem(k, v)", next(iter(sealed.items())))
    log_in(page, agent_user)
    open_registration(page)
    assert page.locator("form[data-draft]").get_attribute("data-draft-key") != key
    expect(page.get_by_role("region", name="Lanjutkan isian tersimpan?")).to_be_hidden()
    wait_until(page, f"!Object.keys(localStorage).some(k => k.startsWith('{DRAFT_PREFIX}'))")
    assert browser_errors == []


def test_a_camera_photo_goes_up_shrunk_and_a_validation_error_does_not_cost_it(
    page: Page, log_in, agent_user, camera_photo, browser_errors, outbox_kicks
):
    log_in(page, agent_user)
    posts = register_posts(page)
    open_registration(page)
    type_nik(page, NIK)
    expect(page.get_by_label("Tanggal lahir")).to_have_value("1990-01-05")
    page.get_by_label("Tanggal lahir").fill("1990-01-06")  # misread from the KTP
    fill_the_rest(page, camera_photo)

    page.get_by_role("button", name="Daftarkan").click()

    expect(page.locator("#field-birth_date .error")).to_contain_text("Tanggal lahir tidak cocok dengan NIK")
    original = camera_photo.stat().st_size
    sent = int(posts[0].all_headers()["content-length"])  # the multipart body as Chromium sent it
    print(f"\nKTP photo 4000×3000: {original} B on the phone, form sent with {sent} B")
    assert original > 2 * 1024 * 1024
    assert sent in UPLOAD_BUDGET, f"the form went up with {sent} B"

    kept = page.get_by_alt_text("Foto KTP yang tersimpan")
    expect(kept).to_be_visible()
    wait_until(page, "document.querySelector('#ktp-kept img').naturalWidth === 1600")  # shrunk, then kept
    expect(page.locator("#ktp-kept")).to_contain_text("tidak perlu difoto ulang")
    assert_fits_the_phone(page)

    page.get_by_label("Tanggal lahir").fill("1990-01-05")  # the agent fixes it; no new photo
    page.get_by_role("button", name="Daftarkan").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("HASNAH")
    farmer = Farmer.objects.get(nik=NIK)
    with farmer.ktp_image.open("rb") as saved, Image.open(io.BytesIO(saved.read())) as image:
        assert image.size == (1600, 1200)
    assert int(posts[1].all_headers()["content-length"]) < 20 * 1024  # the second send carries no photo
    assert drafts(page) == {}  # saved: the draft has done its job
    assert browser_errors == []
