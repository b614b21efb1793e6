"""The agent's call, end to end in headless Chromium against the site served by Frappe.

Logs in as an agent, opens a Lead, starts a Manual Order from Create, meets the
unserviceable-pincode message, fixes it, records consent, confirms the read-back
summary, creates the order and reads the Order ID. Screenshots of each step go to
docs/screenshots/ (the README shows them).
"""

import os
import re
import shutil
import subprocess
import unittest
from contextlib import contextmanager
from pathlib import Path

import frappe

from manual_orders.tests.utils import (
	AGENT,
	MANAGER,
	SiteTestCase,
	as_user,
	delete_orders,
	inspect_as_agreed,
	make_lead,
	make_pickup_partner,
	make_user,
	order_values,
	remove_pickup_partners,
	served_site,
	with_consent,
)

try:
	from playwright import sync_api as playwright
except ImportError:  # Frappe's runner: the bench env has no playwright
	playwright = None

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "Agent-e2e-Pass-2026!"
PARTNER_USER = "partner.e2e@manual-orders.test"
E2E_PARTNER = "E2E Doorstep Pickups"
IMEI = "490154203237518"


def serve_site() -> tuple[str, subprocess.Popen]:
	"""The site served on a free port, with the agent's and the partner's passwords set."""
	from frappe.utils.password import update_password

	update_password(AGENT, PASSWORD)
	make_user(PARTNER_USER, "Pickup Partner")
	update_password(PARTNER_USER, PASSWORD)
	frappe.db.commit()  # nosemgrep: the server process must see the password
	return served_site()


@contextmanager
def open_page(served_site: str):
	"""A headless Chromium page on the served site, closed afterwards."""
	with playwright.sync_playwright() as p:
		browser = p.chromium.launch(
			executable_path=CHROMIUM,
			args=[
				"--no-sandbox",
				"--disable-gpu",
				"--disable-background-networking",
				"--disable-component-update",
				"--no-first-run",
			],
		)
		try:
			context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-IN")
			page = context.new_page()
			page.console_messages = []
			page.on("console", lambda m: page.console_messages.append(m.text))
			page.set_default_timeout(30_000)
			page.base_url = served_site
			yield page
		finally:
			browser.close()


def shot(page, name: str):
	SHOTS.mkdir(parents=True, exist_ok=True)
	page.wait_for_timeout(700)  # let modals and toasts finish their animations
	page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def set_value(page, fieldname: str, value):
	page.evaluate("([f, v]) => cur_frm.set_value(f, v)", [fieldname, value])
	page.wait_for_timeout(300)


def form_message(page) -> str:
	page.wait_for_timeout(1500)  # the live check is debounced
	return page.evaluate("cur_frm.layout.message.text()")


class TestAgentDesk(SiteTestCase):
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
		cls.server.terminate()
		cls.server.wait(timeout=30)
		super().tearDownClass()

	def login(self, page, user: str):
		page.goto(page.base_url + "/login")
		page.fill("#login_email", user)
		page.fill("#login_password", PASSWORD)
		page.click(".btn-login")
		page.wait_for_url("**/app**")

	def test_partner_marks_an_order_picked_up_in_the_desk(self):
		"""The partner's user: their pickups in the list, then Out for Pickup and Picked Up with the IMEI."""
		order = self.order_for_the_e2e_partner()
		try:
			with open_page(self.served_site) as page:
				self.login(page, PARTNER_USER)
				page.goto(page.base_url + "/app/manual-order?docstatus=1")
				page.wait_for_selector(f".list-row:has-text('{order}')")
				shown = page.locator(".result").inner_text()
				assert order in shown
				shot(page, "7-partner-pickups")

				page.goto(f"{page.base_url}/app/manual-order/{order}")
				page.wait_for_function(f"cur_frm && cur_frm.doc.name === '{order}'")
				assert not page.evaluate("cur_frm.doc.upi_id || cur_frm.doc.consent_customer_words || ''")
				page.get_by_role("button", name="Pickup").click()
				page.locator(".dropdown-menu.show .dropdown-item", has_text="Out for Pickup").click()
				page.wait_for_function("cur_frm.doc.pickup_status === 'Out for Pickup'")
				# Picked Up needs the customer's yes: the device is found as agreed at the door
				frappe.db.rollback()  # a fresh snapshot: the server committed Out for Pickup
				inspect_as_agreed(order, PARTNER_USER)
				frappe.db.commit()  # nosemgrep: the served site must see the inspection

				evidence = page.request.post(
					page.base_url + "/api/method/upload_file",
					headers={"X-Frappe-CSRF-Token": page.evaluate("frappe.csrf_token")},
					multipart={
						"file": {
							"name": "ceir-check.png",
							"mimeType": "image/png",
							"buffer": b"\x89PNG ceir",
						},
						"is_private": "1",
					},
				).json()["message"]["file_url"]
				page.get_by_role("button", name="Pickup").click()
				page.locator(".dropdown-menu.show .dropdown-item", has_text="Picked Up").click()
				page.wait_for_function("window.cur_dialog && cur_dialog.fields_dict.imei_evidence")
				page.fill(".modal.show input[data-fieldname='imei']", "49015420323751")  # a digit short
				page.evaluate("([v]) => cur_dialog.set_value('imei_evidence', v)", [evidence])
				page.locator(".modal.show .btn-primary").click()
				page.wait_for_selector(".modal.show .msgprint:has-text('not a valid 15-digit IMEI')")
				page.locator(".modal.show .btn-modal-close").last.click()
				page.wait_for_timeout(500)
				page.get_by_role("button", name="Pickup").click()
				page.locator(".dropdown-menu.show .dropdown-item", has_text="Picked Up").click()
				page.wait_for_function("window.cur_dialog && cur_dialog.fields_dict.imei_evidence")
				page.fill(".modal.show input[data-fieldname='imei']", IMEI)
				page.evaluate("([v]) => cur_dialog.set_value('imei_evidence', v)", [evidence])
				page.locator(".modal.show .btn-primary").click()
				page.wait_for_function("cur_frm.doc.pickup_status === 'Picked Up'")
				page.wait_for_timeout(800)
				page.evaluate("cur_frm.scroll_to_field('pickup_partner')")
				page.evaluate(
					"document.querySelectorAll('#alert-container .alert').forEach((a) => a.remove())"
				)
				shot(page, "8-partner-picked-up")
			frappe.db.rollback()  # a fresh snapshot: the server committed the pickup
			stored = frappe.db.get_value(
				"Manual Order", order, ["pickup_status", "picked_up", "imei", "imei_checked_by"], as_dict=True
			)
			assert (stored.pickup_status, stored.picked_up, stored.imei) == ("Picked Up", 1, IMEI)
			assert stored.imei_checked_by == PARTNER_USER
		finally:
			frappe.db.rollback()
			delete_orders([order])
			remove_pickup_partners([E2E_PARTNER])
			frappe.db.commit()  # nosemgrep: undoing the committed set-up

	def test_agent_confirms_consent_with_the_code_the_customer_reads_back(self):
		"""OTP consent: Send Consent Code, a wrong code, then the code from the SMS; then Create Order."""
		from frappe.utils.password import get_decrypted_password

		from manual_orders.messaging.outbox import SECRET_FIELD
		from manual_orders.settings import clear_catalogue_cache
		from manual_orders.setup.notifications import CONSENT_CODE_NAME

		def require_otp(value: int):
			frappe.db.set_single_value("Manual Order Settings", "require_otp_consent", value)
			frappe.db.commit()  # nosemgrep: the served site reads the settings
			clear_catalogue_cache()

		with as_user(AGENT):
			order = frappe.get_doc(
				with_consent(order_values(customer_name="Meera Iyer", mobile_no="9845011223"))
			).insert()
		require_otp(1)
		try:
			with open_page(self.served_site) as page:
				self.login(page, AGENT)
				page.goto(f"{page.base_url}/app/manual-order/{order.name}")
				page.wait_for_function(f"cur_frm && cur_frm.doc.name === '{order.name}'")
				page.locator(".inner-group-button[data-label='Consent'] > button").click()
				page.locator(".dropdown-menu.show .dropdown-item", has_text="Send Consent Code").click()
				page.wait_for_selector(".modal.show input[data-fieldname='code']")
				frappe.db.rollback()  # a fresh snapshot: the server committed the code's message
				message = frappe.db.get_value(
					"Manual Order Message", {"manual_order": order.name, "notification": CONSENT_CODE_NAME}
				)
				code = re.search(
					r"\b(\d{6})\b", get_decrypted_password("Manual Order Message", message, SECRET_FIELD)
				).group(1)
				page.fill(".modal.show input[data-fieldname='code']", f"{(int(code) + 1) % 10**6:06d}")
				page.locator(".modal.show .btn-primary", has_text="Verify").click()
				page.wait_for_selector(".modal.show .msgprint:has-text('4 attempts left')")
				page.locator(".modal.show .btn-modal-close").first.click()
				page.wait_for_selector(".modal.show input[data-fieldname='code']")
				page.fill(".modal.show input[data-fieldname='code']", code)
				shot(page, "9-consent-code")
				page.locator(".modal.show .btn-primary", has_text="Verify").click()
				page.wait_for_function("cur_frm.doc.consent_method === 'Verbal + OTP'")
				page.get_by_role("button", name="Actions").click()
				page.locator(".dropdown-menu.show .dropdown-item", has_text="Confirm Consent").click()
				page.wait_for_function("cur_frm.doc.workflow_state === 'Consent Confirmed'")
				page.get_by_role("button", name="Actions").click()
				page.locator(".dropdown-menu.show .dropdown-item", has_text="Create Order").click()
				page.locator(".modal.show .btn-primary", has_text="Yes").click()
				page.wait_for_function("cur_frm.doc.docstatus === 1")
			frappe.db.rollback()
			stored = frappe.db.get_value(
				"Manual Order", order.name, ["docstatus", "consent_method"], as_dict=True
			)
			assert (stored.docstatus, stored.consent_method) == (1, "Verbal + OTP")
		finally:
			frappe.db.rollback()
			require_otp(0)
			delete_orders([order.name])
			frappe.db.commit()  # nosemgrep: undoing the committed set-up

	def order_for_the_e2e_partner(self) -> str:
		"""A created order given by a manager to a partner the partner user acts for (committed)."""
		from manual_orders.api import assign_pickup_partner

		make_pickup_partner(E2E_PARTNER, users=[PARTNER_USER])
		with as_user(AGENT):
			order = frappe.get_doc(
				with_consent(order_values(customer_name="Kavya Rao", mobile_no="9845098450"))
			).insert()
			order.submit()
		with as_user(MANAGER):
			if order.pickup_partner != E2E_PARTNER:
				assign_pickup_partner(order.name, E2E_PARTNER)
		frappe.db.commit()  # nosemgrep: the served site must see the order
		return order.name

	def test_agent_creates_an_order_from_a_lead_in_the_desk(self):
		with open_page(self.served_site) as page:
			lead = make_lead(first_name="Asha", last_name="Verma", mobile_no="9845012345")
			frappe.db.commit()  # nosemgrep: the served site must see the Lead
			base = page.base_url

			page.goto(base + "/login")
			page.fill("#login_email", AGENT)
			page.fill("#login_password", PASSWORD)
			page.click(".btn-login")
			page.wait_for_url("**/app**")

			page.goto(f"{base}/app/lead/{lead.name}")
			page.wait_for_selector(".page-actions")
			page.get_by_role("button", name="Create").click()
			page.locator(".dropdown-menu.show .dropdown-item", has_text="Manual Order").click()
			page.wait_for_url("**/app/manual-order/new-manual-order-*")
			page.wait_for_function("cur_frm && cur_frm.doc.doctype === 'Manual Order'")
			assert page.evaluate("cur_frm.doc.lead") == lead.name
			shot(page, "1-order-from-lead")

			set_value(page, "creation_reason", "Customer asked for help")
			set_value(page, "device_model", "iPhone 13")
			page.wait_for_function(
				"cur_frm.doc.device_type === 'Phone' && (cur_frm.doc.conditions || []).length === 5"
			)
			set_value(page, "variant", "128 GB")
			page.evaluate(
				"""() => {
					const first = {};
					Object.entries(manual_orders.questions).forEach(([q, answers]) => (first[q] = answers[0]));
					cur_frm.doc.conditions.forEach((row) => frappe.model.set_value(row.doctype, row.name, "answer", first[row.question]));
				}"""
			)
			for fieldname, value in (
				("address_line1", "Flat 4B, 12 MG Road, Ashok Nagar"),
				("landmark", "Opposite Trinity Metro"),
				("city", "Bengaluru"),
				("state", "Karnataka"),
				("pickup_date", frappe.utils.add_days(frappe.utils.nowdate(), 1)),
				("pickup_slot", "09:00 - 11:00"),
				("payment_method", "UPI"),
				("upi_id", "asha.v@okaxis"),
			):
				set_value(page, fieldname, value)
			set_value(page, "pincode", "560100")
			message = form_message(page)
			assert "560100 is not serviceable" in message, page.console_messages[-10:]
			shot(page, "2-unserviceable-pincode")

			set_value(page, "pincode", "560001")
			message = form_message(page)
			assert "The estimated price showing is ₹30,000" in message
			assert "Order summary to read back" in message
			shot(page, "3-price-and-call-script")

			set_value(page, "consent_customer_words", "Haan, please place the order")
			set_value(page, "consent_price_accepted", 1)
			set_value(page, "consent_summary_confirmed", 1)
			page.keyboard.press("Control+s")
			page.wait_for_function("cur_frm.doc.__islocal !== 1 && !cur_frm.is_dirty()")
			assert page.evaluate("cur_frm.doc.consent_recorded_by") == AGENT
			shown = page.evaluate("cur_frm.fields_dict.estimated_price.$wrapper.text()")
			assert "₹" in shown and "$" not in shown, shown  # the order's currency, whatever the site's
			shot(page, "4-consent-recorded")

			page.get_by_role("button", name="Actions").click()
			page.locator(".dropdown-menu.show .dropdown-item", has_text="Confirm Consent").click()
			page.wait_for_function("cur_frm.doc.workflow_state === 'Consent Confirmed'")
			page.get_by_role("button", name="Actions").click()
			page.locator(".dropdown-menu.show .dropdown-item", has_text="Create Order").click()
			page.wait_for_selector(".manual-order-readback")
			assert "Price range" in page.locator(".manual-order-readback").inner_text()
			shot(page, "5-read-back-summary")
			page.locator(".modal.show .btn-primary", has_text="Yes").click()
			page.wait_for_function("cur_frm.doc.docstatus === 1")
			order_id = page.evaluate("cur_frm.doc.name")
			page.wait_for_selector(".manual-order-created .manual-order-messages li")
			created = page.locator(".manual-order-created").inner_text()
			assert order_id.startswith("MO-") and order_id in created
			assert "paid instantly at pickup" in created
			shot(page, "6-order-created")
			frappe.db.rollback()  # a fresh snapshot: the server committed the order
			assert frappe.db.get_value("Lead", lead.name, "disposition") == "Create Order"
			delete_orders([order_id])
			frappe.db.commit()  # nosemgrep: undoing what the browser committed
