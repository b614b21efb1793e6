from frappe import _


def get_data():
	return {
		"fieldname": "manual_order",
		"transactions": [
			{"label": _("Messages to the Customer"), "items": ["Manual Order Message"]},
			{"label": _("Price Disputes"), "items": ["Manual Order Price Dispute"]},
		],
	}
