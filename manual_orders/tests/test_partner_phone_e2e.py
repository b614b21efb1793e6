"""The pickup partner at the door, on a phone: /pickups in headless Chromium at 390 x 844.

Logs in as a partner's user, sees only their partner's pickups, goes Out for Pickup, records
an inspection with a cracked screen and its photo from the camera input, waits for a manager's
approval (given server-side), sends the code, enters the code the customer's SMS carries,
and marks the device Picked Up with the IMEI and the CEIR evidence. Every screen fits the
phone: no sideways scrolling, every touch target at least 44 px high. Screenshots go to
docs/screenshots/10-13 (the README shows them).
"""

import io
import os
import unittest
from contextlib import contextmanager

import frappe
from frappe.utils import nowdate

from manual_orders.sop import formats
from manual_orders.tests.test_agent_desk_e2e import CHROMIUM, PASSWORD, SHOTS
from manual_orders.tests.utils import (
	AGENT,
	MANAGER,
	SiteTestCase,
	as_user,
	delete_orders,
	make_pickup_partner,
	make_user,
	order_values,
	remove_pickup_partners,
	served_site,
	stop_serving,
	with_consent,
)

try:
	from playwright import sync_api as playwright
except ImportError:  # Frappe's runner: the bench env has no playwright
	playwright = None

PHONE = {"width": 390, "height": 844}
TARGET = 44
PARTNER_USER = "partner.phone@manual-orders.test"
PHONE_PARTNER = "E2E Phone Pickups"
OTHER_PARTNER = "E2E Phone Other Pickups"
SCREEN = "Screen condition"
IMEI = "490154203237518"

# Visible controls a thumb must hit: their height, and the page's width against the viewport.
MEASURE = """() => {
	const targets = "button, select, summary, a.door-btn, .door-bar a, label.door-choice,"
		+ " input:not([type=radio]):not([type=checkbox]):not([type=hidden])";
	const small = [];
	for (const node of document.querySelectorAll(targets)) {
		const box = node.getBoundingClientRect();
		if (!box.width || !box.height) continue;  // not shown
		if (box.height < 44) small.push(`${node.outerHTML.slice(0, 90)} ${box.height}px`);
	}
	return {scrollWidth: document.documentElement.scrollWidth, small};
}"""


def serve_site() -> tuple[str, object]:
	"""The site served on a free port, with the partner's password set."""
	from frappe.utils.password import update_password

	make_user(PARTNER_USER, "Pickup Partner")
	update_password(PARTNER_USER, PASSWORD)
	frappe.db.commit()  # nosemgrep: the server process must see the password
	return served_site()


def photo(label: str) -> dict:
	"""A real JPEG, as the phone's camera hands it to the file input; one of its own for each
	label (Frappe keeps identical uploads under one URL, and evidence must be this pickup's)."""
	from PIL import Image

	buffer = io.BytesIO()
	colour = tuple(int(frappe.generate_hash(length=2), 16) for _ in range(3))
	Image.new("RGB", (320, 240), colour).save(buffer, "JPEG")
	return {"name": f"{label}.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


@contextmanager
def phone_page(base_url: str):
	"""A touch phone's page in headless Chromium, closed afterwards."""
	with playwright.sync_playwright() as p:
		browser = p.chromium.launch(
			executable_path=CHROMIUM,
			args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
		)
		try:
			context = browser.new_context(
				viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2, locale="en-IN"
			)
			page = context.new_page()
			page.set_default_timeout(30_000)
			page.base_url = base_url
			yield page
		finally:
			browser.close()


def shot(page, name: str) -> None:
	SHOTS.mkdir(parents=True, exist_ok=True)
	page.wait_for_timeout(300)
	page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def stage(page, name: str) -> None:
	"""The screen `name`, or the server's refusal the page shows at the top (the test's message)."""
	page.wait_for_selector(f"#door-pickup[data-stage='{name}'], #door-alert:not([hidden])")
	alert = page.locator("#door-alert")
	assert not alert.is_visible(), alert.inner_text()
	page.wait_for_selector(f"#door-pickup[data-stage='{name}']")


class TestPartnerPhone(SiteTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		if playwright is None:
			raise unittest.SkipTest("playwright is not installed")
		if not os.path.exists(CHROMIUM):
			raise unittest.SkipTest("Debian's chromium is not installed")
		cls.served_site, cls.server = serve_site()

	@classmethod
	def tearDownClass(cls):
		stop_serving(cls.server)
		super().tearDownClass()

	def assert_fits_the_phone(self, page, screen: str) -> None:
		measured = page.evaluate(MEASURE)
		self.assertLessEqual(measured["scrollWidth"], PHONE["width"], f"{screen}: scrolls sideways")
		self.assertEqual(measured["small"], [], f"{screen}: touch targets below {TARGET} px")

	def test_partner_inspects_gets_the_customers_code_and_picks_up_on_a_phone(self):
		order, other = self.todays_orders()
		try:
			with phone_page(self.served_site) as page:
				self.login(page)
				self.sees_only_their_pickups(page, order, other)
				inspection = self.inspects_a_cracked_screen(page, order)
				self.gets_the_approved_offer(page, inspection)
				self.enters_the_customers_code(page, inspection)
				self.picks_up(page)
			frappe.db.rollback()  # a fresh snapshot: the server committed the pickup
			offer = frappe.db.get_value(
				"Pickup Inspection",
				inspection,
				["offer_status", "offer_price", "final_price", "approved_by", "decided_by"],
				as_dict=True,
			)
			self.assertEqual((offer.offer_status, offer.approved_by), ("Accepted", MANAGER))
			self.assertEqual((offer.final_price, offer.decided_by), (offer.offer_price, PARTNER_USER))
			stored = frappe.db.get_value(
				"Manual Order", order, ["pickup_status", "picked_up", "imei", "imei_evidence"], as_dict=True
			)
			self.assertEqual((stored.pickup_status, stored.picked_up, stored.imei), ("Picked Up", 1, IMEI))
			self.assertTrue(stored.imei_evidence)
		finally:
			frappe.db.rollback()
			delete_orders([order, other])
			remove_pickup_partners([PHONE_PARTNER, OTHER_PARTNER])
			frappe.db.commit()  # nosemgrep: undoing the committed set-up

	def login(self, page) -> None:
		page.goto(page.base_url + "/pickups")
		page.wait_for_url("**/login?redirect-to=/pickups**")  # a guest is sent to log in first
		page.fill("#login_email", PARTNER_USER)
		page.fill("#login_password", PASSWORD)
		page.click(".btn-login")
		page.wait_for_url("**/pickups")
		page.wait_for_selector("#door-list")

	def sees_only_their_pickups(self, page, order: str, other: str) -> None:
		card = page.locator(f".door-card[data-order='{order}']")
		card.wait_for()
		self.assertIn("Kavya Rao", card.inner_text())
		self.assertIn("Opposite Trinity Metro", card.inner_text())
		self.assertEqual(page.locator(f".door-card[data-order='{other}']").count(), 0)
		self.assertNotIn(other, page.locator("#door").inner_text())
		refused = page.request.get(f"{page.base_url}/api/method/manual_orders.api.door_pickup?order={other}")
		self.assertEqual(refused.status, 403)  # another partner's pickup, asked for by name
		self.assert_fits_the_phone(page, "today's pickups")
		shot(page, "10-door-pickups")
		card.tap()
		stage(page, "start")
		self.assert_fits_the_phone(page, "the pickup")
		page.get_by_role("button", name="Start: Out for Pickup").tap()
		stage(page, "inspection")

	def inspects_a_cracked_screen(self, page, order: str) -> str:
		screen = page.locator("fieldset.door-question", has=page.locator("legend", has_text=SCREEN))
		screen.locator("label.door-choice:has(input[value='Cracked'])").tap()
		camera = screen.locator("input[type=file][capture=environment]")
		camera.wait_for()
		self.assertEqual(camera.get_attribute("accept"), "image/*")
		camera.set_input_files(photo("cracked-screen"))
		for check in ("powers_on-1", "account_lock_removed-1", "imei_blocked-0"):
			page.locator(f"label[for='door-{check}']").tap()
		self.assert_fits_the_phone(page, "the inspection")
		screen.scroll_into_view_if_needed()
		page.evaluate("window.scrollBy(0, -60)")
		shot(page, "11-door-inspection")
		page.get_by_role("button", name="Record inspection").tap()
		stage(page, "offer")
		page.wait_for_selector("#door-offer .door-status[data-status='Awaiting Approval']")
		self.assertIn("a manager must approve", page.locator("#door-pickup").inner_text())
		self.assert_fits_the_phone(page, "the offer awaiting approval")
		frappe.db.rollback()
		return frappe.db.get_value("Pickup Inspection", {"manual_order": order}, "name")

	def gets_the_approved_offer(self, page, inspection: str) -> None:
		from manual_orders.api import approve_offer

		with as_user(MANAGER):
			approve_offer(inspection)
		frappe.db.commit()  # nosemgrep: the served site must see the approval
		page.get_by_role("button", name="Refresh").tap()
		page.wait_for_selector("#door-offer .door-status[data-status='Ready to Send']")
		prices = frappe.db.get_value("Pickup Inspection", inspection, ["offer_price", "agreed_price"])
		said = f"{formats.format_inr(prices[0])} instead of {formats.format_inr(prices[1])}"
		shown = page.locator("#door-offer").inner_text()
		self.assertIn(said, shown)  # the page groups rupees as the server does
		self.assertIn(SCREEN, shown)
		self.assert_fits_the_phone(page, "the offer")
		shot(page, "12-door-offer")

	def enters_the_customers_code(self, page, inspection: str) -> None:
		from manual_orders.tests.test_inspection import code_sent

		page.get_by_role("button", name="Send code to customer").tap()
		code_box = page.locator("#door-code")
		code_box.wait_for()
		self.assertEqual(
			(code_box.get_attribute("inputmode"), code_box.get_attribute("autocomplete")),
			("numeric", "one-time-code"),
		)
		frappe.db.rollback()  # a fresh snapshot: the server committed the code's message
		code = code_sent(inspection)
		code_box.fill(f"{(int(code) + 1) % 10**6:06d}")
		page.get_by_role("button", name="Accept offer").tap()
		page.wait_for_selector("#door-alert:not([hidden])")  # the server's answer, shown at the top
		self.assertIn("4", page.locator("#door-alert").inner_text())  # attempts left
		code_box.fill(code)
		self.assert_fits_the_phone(page, "the code")
		shot(page, "13-door-code")
		page.get_by_role("button", name="Accept offer").tap()
		page.wait_for_selector("#door-offer .door-status[data-status='Accepted']")

	def picks_up(self, page) -> None:
		page.locator("#door-imei").fill(IMEI)
		page.locator("#door-evidence").set_input_files(photo("ceir-check"))
		self.assert_fits_the_phone(page, "the pickup form")
		page.get_by_role("button", name="Picked Up").tap()
		stage(page, "done")
		self.assert_fits_the_phone(page, "picked up")

	def todays_orders(self) -> tuple[str, str]:
		"""Two created orders for today: one the phone's partner's, one another partner's (committed)."""
		from manual_orders.api import assign_pickup_partner

		make_pickup_partner(PHONE_PARTNER, users=[PARTNER_USER])
		make_pickup_partner(OTHER_PARTNER)
		names = []
		for customer, partner in (("Kavya Rao", PHONE_PARTNER), ("Imran Sheikh", OTHER_PARTNER)):
			with as_user(AGENT):
				doc = frappe.get_doc(
					with_consent(order_values(customer_name=customer, mobile_no="9845098450"))
				).insert()
				doc.submit()
			with as_user(MANAGER):
				if doc.pickup_partner != partner:
					assign_pickup_partner(doc.name, partner)
			# the day of the pickup has come (orders are booked for tomorrow at the earliest)
			frappe.db.set_value("Manual Order", doc.name, "pickup_date", nowdate(), update_modified=False)
			names.append(doc.name)
		frappe.db.commit()  # nosemgrep: the served site must see the orders
		return names[0], names[1]
