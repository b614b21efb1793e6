// Lead: Create > Manual Order (SOP step 2), for agents and managers only.
frappe.ui.form.on("Lead", {
	refresh(frm) {
		if (frm.is_new() || !manual_orders_can_create()) return;
		frm.add_custom_button(
			__("Manual Order"),
			() =>
				frappe.model.open_mapped_doc({
					method: "manual_orders.api.make_manual_order",
					frm,
				}),
			__("Create")
		);
	},
});

function manual_orders_can_create() {
	return (
		frappe.model.can_create("Manual Order") &&
		(frappe.user.has_role("Manual Order Agent") || frappe.user.has_role("Manual Order Manager"))
	);
}
