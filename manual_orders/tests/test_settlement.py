"""SOP §6 "instant payment at pickup" on the site: ERPNext's books and stock, the payout, its webhook.

The payout API is a real HTTP server on 127.0.0.1 (`settlement/tests/payout_server.py`); the
webhook goes through Frappe's own WSGI application. Settlement commits as it goes (the books
stand before money moves), so every test here runs on committed data and removes its orders.
"""

import json
import threading
from contextlib import contextmanager

import frappe
from frappe.utils import today
from frappe.utils.password import get_decrypted_password

from manual_orders import api
from manual_orders.exceptions import PayoutRefused
from manual_orders.settlement import settle
from manual_orders.settlement.tests.payout_server import KEY_ID, KEY_SECRET, WEBHOOK_SECRET, PayoutServer
from manual_orders.setup import notifications
from manual_orders.tests.test_pickups import PARTNER_USER, PickupTestCase, created, evidence_of, make_partner
from manual_orders.tests.utils import (
	AGENT,
	MANAGER,
	Api,
	as_user,
	committed,
	inspect_as_agreed,
	random_imei,
	run_at_once,
	site_default,
)

SETTINGS = "Manual Order Settlement Settings"
WEBHOOK = "/api/method/manual_orders.api.payout_webhook"


@contextmanager
def gateway(server: PayoutServer | None, timeout: int = 2):
	"""The payout API on (pointing at `server`), or off (None), restored afterwards."""
	settings = frappe.get_single(SETTINGS)
	before = {
		f: settings.get(f)
		for f in ("payouts_enabled", "api_base_url", "key_id", "account_number", "timeout_seconds")
	}
	settings.update(
		{
			"payouts_enabled": int(server is not None),
			"api_base_url": server.url if server else settings.api_base_url,
			"key_id": KEY_ID,
			"key_secret": KEY_SECRET,
			"account_number": "2323230041626905",
			"webhook_secret": WEBHOOK_SECRET,
			"timeout_seconds": timeout,
		}
	)
	settings.save(ignore_permissions=True)
	frappe.db.commit()  # nosemgrep: the webhook's request reads the settings
	try:
		yield
	finally:
		settings = frappe.get_single(SETTINGS)
		settings.update(before)
		settings.save(ignore_permissions=True)
		frappe.db.commit()  # nosemgrep


def picked_up(**overrides) -> str:
	"""A created order, found as agreed at the door, picked up with a fresh IMEI (committed)."""
	order = created(**overrides)
	inspect_as_agreed(order.name, PARTNER_USER)
	with as_user(PARTNER_USER):
		api.update_pickup(
			order.name, "Picked Up", imei=random_imei(), imei_evidence=evidence_of(PARTNER_USER)
		)
	frappe.db.commit()  # nosemgrep: settlement runs in its own transactions
	return order.name


def payout_of(order: str):
	return frappe.get_doc("Manual Order Payout", {"manual_order": order})


def post_webhook(raw: bytes, signature: str | None, event_id: str | None = None):
	headers = {"Content-Type": "application/json"}
	if signature is not None:
		headers["X-Razorpay-Signature"] = signature
	if event_id:
		headers["X-Razorpay-Event-Id"] = event_id
	return Api(None).request("POST", WEBHOOK, data=raw, headers=headers)


class SettlementTestCase(PickupTestCase):
	def setUp(self):
		super().setUp()
		make_partner("Test Alpha", users=[PARTNER_USER])
		frappe.db.commit()  # nosemgrep
		self.server = PayoutServer().start()
		self.utr = "HDFCR" + frappe.generate_hash(length=11).upper()  # one bank reference a test

	def tearDown(self):
		self.server.stop()
		super().tearDown()


class TestTheBooks(SettlementTestCase):
	@committed
	def test_a_picked_up_phone_is_a_supplier_an_invoice_with_its_imei_a_payout_and_a_payment(self):
		with gateway(self.server):
			order = picked_up()
			settle.settle(order)
			payout = payout_of(order)
			stored = frappe.get_doc("Manual Order", order)
			# the books: the seller a Supplier, the device in stock under its IMEI
			supplier = frappe.get_doc("Supplier", payout.supplier)
			self.assertEqual(
				(supplier.supplier_type, supplier.seller_mobile_no), ("Individual", stored.mobile_no)
			)
			invoice = frappe.get_doc("Purchase Invoice", payout.purchase_invoice)
			self.assertEqual(
				(invoice.docstatus, invoice.update_stock, invoice.supplier), (1, 1, supplier.name)
			)
			self.assertEqual(invoice.grand_total, 30500)
			serial = frappe.get_doc("Serial No", stored.imei)
			self.assertEqual(
				(serial.item_code, serial.warehouse, serial.status),
				(invoice.items[0].item_code, frappe.db.get_single_value(SETTINGS, "warehouse"), "Active"),
			)
			self.assertEqual(
				frappe.db.get_value("Device Model", stored.device_model, "item"), serial.item_code
			)
			# the payout: in paise, with the order's idempotency key, to the agreed UPI ID
			self.assertEqual(
				(payout.status, payout.amount_paise, payout.method), ("Processing", 3050000, "UPI")
			)
			[made] = self.server.created()
			self.assertEqual((made["amount"], made["idempotency_key"]), (3050000, payout.idempotency_key))
			self.assertEqual(made["reference_id"], payout.idempotency_key)
			self.assertIn(b"ravi.k@okhdfc", self.server.requests[1]["body"])
			# the webhook: processed, with the UTR
			raw, signature = self.server.webhook(made["id"], "payout.processed", utr=self.utr)
			status, body = post_webhook(raw, signature)
			self.assertEqual(status, 200, body)
			frappe.db.rollback()
			payout = payout_of(order)
			self.assertEqual((payout.status, payout.utr), ("Processed", self.utr))
			entry = frappe.get_doc("Payment Entry", payout.payment_entry)
			self.assertEqual(
				(entry.docstatus, entry.payment_type, entry.party_type, entry.party, entry.reference_no),
				(1, "Pay", "Supplier", supplier.name, self.utr),
			)
			self.assertEqual(entry.references[0].reference_name, invoice.name)
			self.assertEqual(frappe.db.get_value("Purchase Invoice", invoice.name, "outstanding_amount"), 0)
			# the customer is told, and only the last 4 characters stay on the order and its versions
			paid = frappe.get_all(
				"Manual Order Message",
				filters={"manual_order": order, "notification": notifications.PAYOUT_PAID_SMS_NAME},
				pluck="message",
			)
			self.assertTrue(paid and self.utr in paid[0] and "₹30,500" in paid[0], paid)
			self.assertEqual(frappe.db.get_value("Manual Order", order, "upi_id"), "••••hdfc")
			versions = frappe.get_all(
				"Version", filters={"ref_doctype": "Manual Order", "docname": order}, pluck="data"
			)
			self.assertFalse([v for v in versions if "ravi.k@okhdfc" in v])
			self.assertEqual(
				get_decrypted_password("Manual Order Payout", payout.name, "destination"), "ravi.k@okhdfc"
			)
			self.assertEqual(payout.destination_masked, "••••hdfc")

	@committed
	def test_the_same_seller_is_one_supplier_and_a_second_settle_books_nothing_more(self):
		with gateway(None):
			first, second = picked_up(), picked_up()
			settle.settle(first)
			settle.settle(second)
			settle.settle(first)
			self.assertEqual(payout_of(first).supplier, payout_of(second).supplier)
			invoices = frappe.get_all(
				"Purchase Invoice", filters={"bill_no": ("in", [first, second])}, pluck="name"
			)
			self.assertEqual(len(invoices), 2)
			self.assertEqual(self.server.requests, [])  # no gateway: nothing was paid

	@committed
	def test_a_site_whose_default_currency_is_not_inr_books_the_rupees_agreed(self):
		"""The invoice is in the order's currency: Global Defaults' USD (an admin's, or a test's
		left in the cache) does not make a rupee purchase ask for a USD exchange rate."""
		with gateway(None), site_default("currency", "USD", commit=True):
			order = picked_up()
			settle.settle(order)
			invoice = frappe.get_doc("Purchase Invoice", payout_of(order).purchase_invoice)
			self.assertEqual(
				(invoice.docstatus, invoice.currency, invoice.conversion_rate, invoice.grand_total),
				(1, "INR", 1, 30500),
			)

	@committed
	def test_two_workers_settling_one_order_at_once_book_and_pay_once(self):
		with gateway(self.server):
			order = picked_up()
			errors = run_in_threads(lambda: settle.settle(order), 3)
			self.assertEqual(errors, [])
			frappe.db.rollback()
			self.assertEqual(frappe.db.count("Purchase Invoice", {"bill_no": order, "docstatus": 1}), 1)
			self.assertEqual(frappe.db.count("Manual Order Payout", {"manual_order": order}), 1)
			self.assertEqual(len(self.server.created()), 1)


class TestThePayout(SettlementTestCase):
	@committed
	def test_a_double_and_an_out_of_order_webhook_change_nothing_more(self):
		with gateway(self.server):
			order = picked_up()
			settle.settle(order)
			[made] = self.server.created()
			processed = self.server.webhook(made["id"], "payout.processed", utr=self.utr)
			late = self.server.webhook(made["id"], "payout.updated")  # a late "processing"
			for raw, signature in (processed, processed, late):
				self.assertEqual(post_webhook(raw, signature)[0], 200)
			frappe.db.rollback()
			payout = payout_of(order)
			self.assertEqual(payout.status, "Processed")
			self.assertEqual(frappe.db.count("Payment Entry", {"reference_no": self.utr, "docstatus": 1}), 1)
			self.assertEqual(
				frappe.db.count("Manual Order Payout Event", {"payout": payout.name, "source": "Webhook"}), 2
			)

	@committed
	def test_a_wrong_or_non_ascii_signature_changes_nothing_and_logs_nothing(self):
		with gateway(self.server):
			order = picked_up()
			settle.settle(order)
			[made] = self.server.created()
			raw, _signature = self.server.webhook(made["id"], "payout.processed", utr=self.utr)
			errors_before = frappe.db.count("Error Log")
			for signature in (None, "0" * 64, "é" * 64, "sha256=" + _signature):
				status, _body = post_webhook(raw, signature)
				self.assertEqual(status, 403, signature)
			frappe.db.rollback()
			self.assertEqual(frappe.db.count("Error Log"), errors_before)
			self.assertEqual(payout_of(order).status, "Processing")
			self.assertEqual(
				frappe.db.count(
					"Manual Order Payout Event", {"source": "Webhook", "payout": payout_of(order).name}
				),
				0,
			)

	@committed
	def test_a_timeout_after_the_provider_accepted_is_asked_about_never_paid_twice(self):
		with gateway(self.server, timeout=1):
			self.server.mode, self.server.delay = "accept_then_timeout", 2.0
			order = picked_up()
			settle.settle(order)
			payout = payout_of(order)
			self.assertEqual((payout.status, payout.calls), ("Queued", 1))
			self.assertIn("timed out", payout.last_error)
			self.server.mode = "ok"
			settle.retry_unsettled()  # the scheduler's pass
			payout = payout_of(order)
			self.assertEqual(payout.status, "Processing")
			self.assertEqual(len(self.server.created()), 1)
			self.assertEqual(payout.provider_payout_id, self.server.created()[0]["id"])

	@committed
	def test_a_rejected_payout_fails_and_a_manager_records_a_manual_transfer(self):
		with gateway(self.server):
			self.server.mode = "error400"
			order = picked_up()
			settle.settle(order)
			payout = payout_of(order)
			self.assertEqual(payout.status, "Failed")
			self.assertIn("Invalid VPA", payout.last_error)
			for user in (PARTNER_USER, AGENT):
				with as_user(user), self.assertRaises(frappe.PermissionError):
					api.record_manual_payout(order, self.utr)
			with as_user(MANAGER), self.assertRaises(PayoutRefused):
				api.record_manual_payout(order, "not a utr!")
			with as_user(MANAGER):
				api.record_manual_payout(order, self.utr.lower())
			payout = payout_of(order)
			self.assertEqual(
				(payout.status, payout.utr, payout.recorded_by), ("Processed", self.utr, MANAGER)
			)
			self.assertEqual(
				frappe.db.get_value("Payment Entry", payout.payment_entry, "reference_no"), self.utr
			)
			with as_user(MANAGER), self.assertRaises(PayoutRefused):  # paid: never again
				api.record_manual_payout(order, "HDFCR" + frappe.generate_hash(length=11).upper())
			with as_user(MANAGER), self.assertRaises(PayoutRefused):
				api.retry_payout(order)

	@committed
	def test_a_reversal_unpays_the_invoice_queues_it_for_managers_and_a_retry_pays_once_more(self):
		with gateway(self.server):
			order = picked_up()
			settle.settle(order)
			[made] = self.server.created()
			for event in ("payout.processed", "payout.reversed"):
				raw, signature = self.server.webhook(made["id"], event, utr=self.utr)
				self.assertEqual(post_webhook(raw, signature)[0], 200)
			frappe.db.rollback()
			payout = payout_of(order)
			self.assertEqual(payout.status, "Reversed")
			self.assertFalse(payout.payment_entry)
			self.assertEqual(frappe.db.get_value("Payment Entry", {"reference_no": self.utr}, "docstatus"), 2)
			self.assertEqual(
				frappe.db.get_value("Purchase Invoice", payout.purchase_invoice, "outstanding_amount"), 30500
			)
			from frappe.desk.doctype.number_card.number_card import get_result

			card = frappe.get_doc("Number Card", "Payouts Needing Attention")
			with as_user(MANAGER):
				self.assertGreaterEqual(get_result(card.as_dict(), None), 1)
			first_key = payout.idempotency_key
			with as_user(MANAGER):
				self.assertEqual(api.retry_payout(order), "Processing")
			payout = payout_of(order)
			self.assertEqual(payout.attempt, 2)
			self.assertNotEqual(payout.idempotency_key, first_key)
			self.assertEqual(len(self.server.created()), 2)

	@committed
	def test_nobody_changes_a_payout_through_a_generic_path(self):
		with gateway(None):
			order = picked_up()
			settle.settle(order)
			name = payout_of(order).name
			frappe.db.commit()  # nosemgrep
			for user in (PARTNER_USER, AGENT, MANAGER):
				client = Api(user)
				for verb, path, payload in (
					(
						"put",
						f"/api/resource/Manual Order Payout/{name}",
						{"amount": 1, "status": "Processed", "amount_paise": 100},
					),
					(
						"post",
						"/api/method/frappe.client.set_value",
						{
							"doctype": "Manual Order Payout",
							"name": name,
							"fieldname": "status",
							"value": "Processed",
						},
					),
				):
					status, _body = getattr(client, verb)(path, payload)
					self.assertIn(status, (403, 417), (user, path))
			self.assertEqual(Api(PARTNER_USER).get(f"/api/resource/Manual Order Payout/{name}")[0], 403)
			self.assertEqual(Api(AGENT).get(f"/api/resource/Manual Order Payout/{name}")[0], 403)
			frappe.db.rollback()
			payout = payout_of(order)
			self.assertEqual((payout.status, payout.amount_paise), ("Queued", 3050000))
			doc = frappe.get_doc("Manual Order Payout", name)
			doc.amount = 1
			with self.assertRaises(frappe.PermissionError):  # Administrator too
				doc.save()


def in_a_worker(site: str, sites_path: str, fn) -> None:
	"""`fn` with a site connection of its own, as a background worker runs it."""
	frappe.init(site=site, sites_path=sites_path)
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		fn()
		frappe.db.commit()  # nosemgrep
	finally:
		frappe.destroy()


def run_in_threads(fn, count: int) -> list[str]:
	"""`fn` in `count` threads at once, each with its own site connection, as two workers would."""
	return run_at_once([fn] * count)


def events_of(payout: str) -> list[dict]:
	return [
		json.loads(body)
		for body in frappe.get_all("Manual Order Payout Event", filters={"payout": payout}, pluck="body")
	]


class TestReconciliation(SettlementTestCase):
	@committed
	def test_the_settlement_report_lists_mismatches_and_agrees_with_the_general_ledger(self):
		from manual_orders.manual_orders.report.buy_back_settlement import buy_back_settlement as report

		with gateway(None):
			paid_order, unpaid_order, unbooked_order = picked_up(), picked_up(), picked_up()
			settle.settle(paid_order)
			settle.settle(unpaid_order)
			with as_user(MANAGER):
				api.record_manual_payout(paid_order, self.utr)
		filters = {"pickup_partner": "Test Alpha", "view": "Totals"}
		with as_user(MANAGER):
			rows = report.execute(filters)[1]
			problems = {
				r["manual_order"]: r["problem"] for r in report.execute({**filters, "view": "Mismatches"})[1]
			}
		ours = {paid_order, unpaid_order, unbooked_order}
		self.assertEqual(
			{order: problems.get(order) for order in ours},
			{paid_order: None, unpaid_order: "Invoiced, not paid", unbooked_order: "Picked up, not invoiced"},
		)
		payouts = [payout_of(paid_order), payout_of(unpaid_order)]
		vouchers = [p.purchase_invoice for p in payouts] + [
			p.payment_entry for p in payouts if p.payment_entry
		]
		payable = frappe.get_cached_value(
			"Company", frappe.db.get_single_value(SETTINGS, "company"), "default_payable_account"
		)
		balance = frappe.db.sql(
			"""select sum(credit - debit) from `tabGL Entry`
			where account = %s and voucher_no in %s and is_cancelled = 0""",
			(payable, tuple(vouchers)),
		)[0][0]
		self.assertEqual(balance, 30500)  # the unpaid one's invoice
		# the report's rows for these orders: today's, this city, this partner (other tests' too)
		mine = [r for r in rows if r["pickup_partner"] == "Test Alpha"]
		invoiced = sum(r["invoiced_amount"] for r in mine)
		paid = sum(r["paid_amount"] for r in mine)
		others = frappe.db.sql(
			"""select ifnull(sum(gl.credit - gl.debit), 0) from `tabGL Entry` gl
			where gl.account = %(account)s and gl.is_cancelled = 0 and gl.voucher_no in (
				select p.purchase_invoice from `tabManual Order Payout` p
				join `tabManual Order` o on o.name = p.manual_order
				where o.pickup_partner = 'Test Alpha' and date(o.picked_up_at) = %(today)s
				union select p.payment_entry from `tabManual Order Payout` p
				join `tabManual Order` o on o.name = p.manual_order
				where o.pickup_partner = 'Test Alpha' and date(o.picked_up_at) = %(today)s
				and p.payment_entry is not null)""",
			# the site's day (India's), as the report's: not the database server's (UTC), which
			# differs from 18:30 to midnight UTC
			{"account": payable, "today": today()},
		)[0][0]
		self.assertEqual(invoiced - paid, others)  # the report's outstanding is the Creditors balance


class TestCorrectedDestination(SettlementTestCase):
	@committed
	def test_a_reversed_payout_goes_to_a_corrected_upi_id_only_with_the_customers_code(self):
		import re

		from manual_orders.messaging import outbox

		with gateway(self.server):
			order = picked_up()
			settle.settle(order)
			[made] = self.server.created()
			raw, signature = self.server.webhook(made["id"], "payout.reversed")
			self.assertEqual(post_webhook(raw, signature)[0], 200)
			frappe.db.rollback()
			new = {"payment_method": "UPI", "upi_id": "ravi.new@okaxis"}
			with as_user(AGENT), self.assertRaises(frappe.PermissionError):
				api.send_payout_destination_code(order, **new)
			with as_user(MANAGER):
				self.assertTrue(api.send_payout_destination_code(order, **new)["sent"])
			message = frappe.get_all(
				"Manual Order Message",
				filters={"manual_order": order, "notification": notifications.DESTINATION_CODE_NAME},
				fields=["name", "message"],
			)[0]
			code = re.search(
				r"code (\d{6})",
				get_decrypted_password("Manual Order Message", message.name, outbox.SECRET_FIELD),
			).group(1)
			self.assertNotIn(code, message.message)
			self.assertIn("••••axis", message.message)
			with (
				as_user(MANAGER),
				self.assertRaises(frappe.ValidationError),
			):  # the code is for that UPI ID only
				api.retry_payout(order, code=code, payment_method="UPI", upi_id="someone.else@okaxis")
			with as_user(MANAGER):
				self.assertEqual(api.retry_payout(order, code=code, **new), "Processing")
			payout = payout_of(order)
			self.assertEqual((payout.attempt, payout.destination_masked), (2, "••••axis"))
			self.assertEqual(
				get_decrypted_password("Manual Order Payout", payout.name, "destination"), "ravi.new@okaxis"
			)
			self.assertEqual(len(self.server.created()), 2)
			self.assertIn(
				b"ravi.new@okaxis",
				[r["body"] for r in self.server.requests if r["path"] == "/v1/fund_accounts"][-1],
			)


class TestTheReviewsFindings(SettlementTestCase):
	"""What an adversarial review of the payout found, each held against what is stored."""

	@committed
	def test_a_manual_utr_is_refused_while_the_api_payout_is_in_flight(self):
		import time

		with gateway(self.server, timeout=10):
			self.server.mode, self.server.delay = "slow", 4.0
			order = picked_up()
			settle.book(order)
			frappe.db.commit()  # nosemgrep
			name = payout_of(order).name
			site, sites_path = frappe.local.site, frappe.local.sites_path
			worker = threading.Thread(target=lambda: in_a_worker(site, sites_path, lambda: settle.send(name)))
			worker.start()
			for _ in range(50):  # until the worker is waiting for the provider's answer
				time.sleep(0.1)
				if [r for r in self.server.requests if r["path"] == "/v1/payouts"]:
					break
			frappe.db.rollback()
			with as_user(MANAGER), self.assertRaises(PayoutRefused):
				api.record_manual_payout(order, self.utr)
			frappe.db.rollback()  # the refused request ends, as a real one does, releasing its locks
			worker.join()
			frappe.db.rollback()
			payout = payout_of(order)
			self.assertEqual((payout.status, payout.recorded_by), ("Processing", None))
			self.assertEqual(len(self.server.created()), 1)

	@committed
	def test_a_recorded_event_whose_apply_failed_is_applied_when_it_comes_again(self):
		with gateway(self.server):
			order = picked_up()
			settle.settle(order)
			[made] = self.server.created()
			raw, signature = self.server.webhook(made["id"], "payout.processed", utr=self.utr)
			payout = payout_of(order).name
			# recorded, then the apply failed (a lock, an error): no result on the event
			settle.record_event(payout, "Webhook", "payout.processed", raw.decode(), event_id="evt-lost-1")
			self.assertEqual(post_webhook(raw, signature, event_id="evt-lost-1")[0], 200)
			frappe.db.rollback()
			self.assertEqual(payout_of(order).status, "Processed")
			self.assertTrue(payout_of(order).payment_entry)
			self.assertEqual(
				post_webhook(raw, signature, event_id="evt-lost-1")[1]["message"]["status"], "duplicate"
			)
			self.assertEqual(
				frappe.db.get_value("Manual Order Payout Event", {"event_id": "evt-lost-1"}, "result"),
				"applied: Processed",
			)

	@committed
	def test_a_payout_for_another_amount_is_not_booked_as_paid_and_the_report_says_so(self):
		from manual_orders.manual_orders.report.buy_back_settlement import buy_back_settlement as report

		with gateway(self.server):
			order = picked_up()
			settle.settle(order)
			[made] = self.server.created()
			raw, signature = self.server.webhook(made["id"], "payout.processed", utr=self.utr, amount=100)
			self.assertEqual(post_webhook(raw, signature)[0], 200)
			frappe.db.rollback()
			payout = payout_of(order)
			self.assertEqual(
				(payout.status, payout.provider_amount_paise, payout.payment_entry), ("Processed", 100, None)
			)
			self.assertIn("100 paise", payout.last_error)
			with as_user(MANAGER):
				problems = {
					r["manual_order"]: r["problem"]
					for r in report.execute({"pickup_partner": "Test Alpha", "view": "Mismatches"})[1]
				}
			self.assertIn("Payout amount is not the invoice's", problems[order])
			self.assertIn("Paid out, no Payment Entry", problems[order])

	@committed
	def test_a_manual_utr_is_refused_when_finance_cancelled_the_invoice(self):
		with gateway(None):
			order = picked_up()
			settle.settle(order)
			invoice = frappe.get_doc("Purchase Invoice", payout_of(order).purchase_invoice)
			invoice.cancel()
			frappe.db.commit()  # nosemgrep
			with as_user(MANAGER), self.assertRaises(PayoutRefused):
				api.record_manual_payout(order, self.utr)
			self.assertEqual(
				frappe.db.count(
					"Manual Order Payout Event", {"payout": payout_of(order).name, "source": "Manual"}
				),
				0,
			)
