"""A bought device in ERPNext's own books and stock: the seller as a Supplier, the device as an
Item received under its serial number (the IMEI for phones) by a Purchase Invoice with
`update_stock`, and the payout as a Payment Entry against that invoice.

Every record is made by ERPNext's own controllers (its validations, GL and stock ledger
entries, Serial and Batch Bundle); nothing here writes their tables directly.
"""

import frappe
from frappe import _
from frappe.utils import nowdate

from manual_orders.exceptions import SettlementNotConfigured

SETTINGS = "Manual Order Settlement Settings"
BOOKS_FIELDS = ("company", "warehouse", "supplier_group", "item_group", "paid_from_account")


def settings():
	"""From Frappe's document cache, which a save of the settings clears."""
	return frappe.get_cached_doc(SETTINGS)


def check_books_configured() -> None:
	missing = [field for field in BOOKS_FIELDS if not settings().get(field)]
	if missing:
		labels = ", ".join(_(frappe.get_meta(SETTINGS).get_label(field)) for field in missing)
		frappe.throw(
			_("Manual Order Settlement Settings: set {0} so a bought device reaches the books.").format(
				labels
			),
			exc=SettlementNotConfigured,
			title=_("Settlement Not Configured"),
		)


# The seller


def supplier_for(order) -> str:
	"""One Supplier (an Individual) per seller's mobile number, reused for their next device."""
	existing = frappe.db.get_value("Supplier", {"seller_mobile_no": order.mobile_no}, "name")
	if existing:
		return existing
	supplier = frappe.get_doc(
		{
			"doctype": "Supplier",
			"supplier_name": order.customer_name,
			"supplier_type": "Individual",
			"supplier_group": settings().supplier_group,
			"country": "India",
			"seller_mobile_no": order.mobile_no,
			"default_currency": order.currency,
		}
	)
	supplier.flags.ignore_permissions = True
	frappe.db.savepoint("seller")
	try:
		supplier.insert()
	except (frappe.DuplicateEntryError, frappe.UniqueValidationError):  # the same seller, at once
		frappe.db.rollback(save_point="seller")
		return frappe.db.get_value("Supplier", {"seller_mobile_no": order.mobile_no}, "name")
	return supplier.name


# The device


def item_for(device_model: str) -> str:
	"""The Item a model is received as: the one admins mapped on the Device Model, else one made
	now (serial numbers on, in the settings' Item Group) and kept on the model."""
	mapped = frappe.db.get_value("Device Model", device_model, "item")
	if mapped:
		check_serialised(mapped, device_model)
		return mapped
	if frappe.db.exists("Item", device_model):
		check_serialised(device_model, device_model)
		item = device_model
	else:
		item = make_item(device_model)
	frappe.db.set_value("Device Model", device_model, "item", item, update_modified=False)
	return item


def make_item(device_model: str) -> str:
	doc = frappe.get_doc(
		{
			"doctype": "Item",
			"item_code": device_model,
			"item_name": device_model,
			"item_group": settings().item_group,
			"stock_uom": "Nos",
			"is_stock_item": 1,
			"is_purchase_item": 1,
			"has_serial_no": 1,
			"description": _("Used {0}, bought back (Manual Orders).").format(device_model),
		}
	)
	doc.flags.ignore_permissions = True
	doc.insert()
	return doc.name


def check_serialised(item: str, device_model: str) -> None:
	if not frappe.db.get_value("Item", item, "has_serial_no"):
		frappe.throw(
			_(
				"Device Model {0}: its Item {1} has no serial numbers; a bought device is received under its IMEI or serial number. Map the model to an Item with Has Serial No, or clear the mapping."
			).format(device_model, item),
			exc=SettlementNotConfigured,
		)


# The purchase


def purchase_invoice(order, supplier: str, item: str, rupees: int, serial_no: str) -> str:
	"""Received into the buy-back Warehouse under its serial number, at the final price."""
	config = settings()
	invoice = frappe.get_doc(
		{
			"doctype": "Purchase Invoice",
			"company": config.company,
			"currency": order.currency,  # the agreed price's, whatever the site's default
			"supplier": supplier,
			"posting_date": nowdate(),
			"bill_no": order.name,
			"bill_date": nowdate(),
			"update_stock": 1,
			"set_warehouse": config.warehouse,
			"items": [
				{
					"item_code": item,
					"qty": 1,
					"rate": rupees,
					"warehouse": config.warehouse,
					"use_serial_batch_fields": 1,
					"serial_no": serial_no,
					"description": f"{order.device_model} {order.variant or ''} ({order.name})".strip(),
				}
			],
			"remarks": _("Bought back: order {0}.").format(order.name),
		}
	)
	invoice.flags.ignore_permissions = True
	invoice.insert()
	invoice.submit()
	return invoice.name


def payment_entry(invoice: str, utr: str) -> str:
	"""ERPNext's own Payment Entry for the invoice (Pay, the Supplier), the UTR as its reference."""
	from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry

	config = settings()
	entry = get_payment_entry("Purchase Invoice", invoice)
	entry.paid_from = config.paid_from_account
	entry.paid_from_account_currency = frappe.db.get_value(
		"Account", config.paid_from_account, "account_currency"
	)
	entry.reference_no = utr
	entry.reference_date = nowdate()
	entry.flags.ignore_permissions = True
	entry.insert()
	entry.submit()
	return entry.name


def cancel_payment_entry(name: str) -> None:
	"""A reversed payout: the money came back, the invoice is unpaid again."""
	entry = frappe.get_doc("Payment Entry", name)
	if entry.docstatus == 1:
		entry.flags.ignore_permissions = True
		entry.cancel()
