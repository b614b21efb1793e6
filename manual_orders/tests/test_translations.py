"""Hindi for the call script, the summary and every error message (manual_orders/translations/hi.csv)."""

import csv
import re
from contextlib import contextmanager
from pathlib import Path

import frappe

from manual_orders.consent_evidence import call_log as consent_call
from manual_orders.consent_evidence import code as consent_code
from manual_orders.consent_evidence import drafts, quotes
from manual_orders.consent_evidence import record as consent_record
from manual_orders.leavers import access, handover
from manual_orders.permissions import side_doors
from manual_orders.permissions.query_fields import guard as query_guard
from manual_orders.pickup import inspection as pickup_inspection
from manual_orders.settlement import books as settlement_books
from manual_orders.settlement import settle
from manual_orders.shortcuts import naming, replica
from manual_orders.sop import dlt, evidence, offers, otp, pickups, rules, texts
from manual_orders.tests.utils import SiteTestCase, make_order

HI_CSV = Path(__file__).resolve().parents[1] / "translations" / "hi.csv"


@contextmanager
def hindi():
	frappe.local.lang = "hi"
	frappe.local.lang_full_dict = None
	frappe.local.jenv = None
	try:
		yield
	finally:
		frappe.local.lang = "en"
		frappe.local.lang_full_dict = None


class TestTranslations(SiteTestCase):
	def test_every_rule_message_has_a_hindi_translation_with_the_same_placeholders(self):
		translations = dict(csv.reader(HI_CSV.open()))
		sources = set()
		for module in (
			rules,
			pickups,
			evidence,
			otp,
			dlt,
			consent_call,
			consent_code,
			drafts,
			quotes,
			consent_record,
			access,
			handover,
			side_doors,
			query_guard,
			offers,
			pickup_inspection,
			settlement_books,
			settle,
			naming,
			replica,
		):
			source = Path(module.__file__).read_text()
			sources |= set(re.findall(r'_\(\s*"((?:[^"\\]|\\.)*)"', source))
			sources |= set(re.findall(r"_\(\s*'((?:[^'\\]|\\.)*)'", source))
		sources |= {
			query_guard.FIELD_REFUSED_MESSAGE,
			side_doors.SHARE_REFUSED_MESSAGE,
			texts.CALL_SCRIPT,
			texts.PARTNER_ASSIGNED_MESSAGE,
			texts.CONSENT_CODE_MESSAGE,
			texts.OFFER_CODE_MESSAGE,
			texts.PAYOUT_PAID_MESSAGE,
			texts.DESTINATION_CODE_MESSAGE,
			*texts.NEXT_STEPS,
			"Device",
			"Price range",
			"Pickup location",
			"Payment mode",
		}
		sources = {s.encode().decode("unicode_escape") if "\\" in s else s for s in sources}
		missing = [s for s in sources if s not in translations]
		assert not missing
		for source in sources:
			assert sorted(re.findall(r"\{\d\}", source)) == sorted(
				re.findall(r"\{\d\}", translations[source])
			)

	def test_call_script_and_summary_in_hindi(self):
		with hindi():
			assert texts.call_script(29300, frappe._) == (
				"अनुमानित कीमत ₹29,300 दिख रही है। अंतिम कीमत जाँच पर निर्भर करती है। क्या आप आगे बढ़ना चाहेंगे?"
			)
			labels = [label for label, _ in texts.order_summary("iPhone", 1, 2, "Bengaluru", "UPI", frappe._)]
			assert labels == ["डिवाइस", "कीमत सीमा", "पिकअप स्थान", "भुगतान का तरीका"]

	def test_errors_reach_a_hindi_agent_in_hindi(self):
		with hindi():
			with self.assertRaises(frappe.ValidationError) as raised:
				make_order(pincode="560100")
			assert "पिनकोड: 560100 पर सेवा उपलब्ध नहीं है" in str(raised.exception)
