// Customer: Create > Manual Order, SOP step 1's fallback when the customer has no Lead.
frappe.ui.form.on("Customer", {
	refresh(frm) {
		if (frm.is_new() || !frappe.model.can_create("Manual Order")) return;
		if (!(frappe.user.has_role("Manual Order Agent") || frappe.user.has_role("Manual Order Manager"))) return;
		frm.add_custom_button(
			__("Manual Order"),
			() =>
				frappe.model.open_mapped_doc({
					method: "manual_orders.api.make_manual_order_from_customer",
					frm,
				}),
			__("Create")
		);
	},
});
