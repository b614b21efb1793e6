frappe.query_reports["Buy-back Settlement"] = {
	filters: [
		{ fieldname: "from_date", label: __("From Date"), fieldtype: "Date", default: frappe.datetime.add_days(frappe.datetime.get_today(), -30), reqd: 1 },
		{ fieldname: "to_date", label: __("To Date"), fieldtype: "Date", default: frappe.datetime.get_today(), reqd: 1 },
		{ fieldname: "view", label: __("Show"), fieldtype: "Select", options: ["Totals", "Mismatches"], default: "Totals", reqd: 1 },
		{ fieldname: "pickup_partner", label: __("Pickup Partner"), fieldtype: "Link", options: "Pickup Partner" },
		{ fieldname: "city", label: __("City"), fieldtype: "Data" },
	],
};
