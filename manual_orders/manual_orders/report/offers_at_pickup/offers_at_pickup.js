frappe.query_reports["Offers at Pickup"] = {
	filters: [
		{ fieldname: "from_date", label: __("From Date"), fieldtype: "Date", default: frappe.datetime.add_days(frappe.datetime.get_today(), -30), reqd: 1 },
		{ fieldname: "to_date", label: __("To Date"), fieldtype: "Date", default: frappe.datetime.get_today(), reqd: 1 },
		{ fieldname: "group_by", label: __("Group By"), fieldtype: "Select", options: ["Partner", "Agent", "City", "Reason"], default: "Partner", reqd: 1 },
		{ fieldname: "pickup_partner", label: __("Pickup Partner"), fieldtype: "Link", options: "Pickup Partner" },
		{ fieldname: "city", label: __("City"), fieldtype: "Data" },
		{ fieldname: "agent", label: __("Agent"), fieldtype: "Link", options: "User" },
		{ fieldname: "branch", label: __("Branch"), fieldtype: "Link", options: "Branch" },
		{ fieldname: "device_type", label: __("Device Type"), fieldtype: "Link", options: "Device Type" },
	],
};
