// Managers take work someone left; the server assigns it to them (manual_orders.api.take_handover).
frappe.ui.form.on("Manual Order Handover", {
	refresh(frm) {
		if (frm.doc.status !== "Waiting") return;
		frm.add_custom_button(__("Take"), () =>
			frappe
				.call("manual_orders.api.take_handover", { handover: frm.doc.name })
				.then(() => frm.reload_doc())
		);
	},
});
