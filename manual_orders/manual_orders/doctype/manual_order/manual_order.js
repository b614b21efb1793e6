// The agent's screen for one call: device -> price -> pickup -> payment -> consent.
// Every check also runs on the server at save; this form only shows them early.

const LIVE_FIELDS = [
	"creation_reason", "mobile_no", "whatsapp_no", "device_type", "brand", "device_model", "variant",
	"address_line1", "landmark", "city", "state", "pincode", "pickup_date", "pickup_slot",
	"payment_method", "upi_id", "bank_account_number", "ifsc_code",
];

frappe.ui.form.on("Manual Order", {
	setup(frm) {
		frm.set_query("device_model", () => ({
			filters: Object.assign(
				{ supported: 1 },
				frm.doc.device_type ? { device_type: frm.doc.device_type } : {},
				frm.doc.brand ? { brand: frm.doc.brand } : {}
			),
		}));
		frm.set_query("question", "conditions", () => ({
			filters: { device_type: frm.doc.device_type, enabled: 1 },
		}));
		frm.set_query("accessory", "accessories", () => ({ filters: { enabled: 1 } }));
		frm.set_query("pickup_slot", () => ({ filters: { enabled: 1 } }));
		frm.set_query("cancellation_reason", () => ({ filters: { enabled: 1 } }));
	},

	refresh(frm) {
		manual_orders.load_options(frm);
		if (frm.doc.docstatus === 1) {
			if (!((frm.doc.__onload || {}).pickup || {}).is_partner) manual_orders.show_created(frm);
			manual_orders.add_dispute_button(frm);
			manual_orders.add_pickup_buttons(frm);
		} else if (frm.doc.docstatus === 0 && !frm.doc.outcome) {
			manual_orders.live_check(frm);
			manual_orders.add_consent_buttons(frm);
		}
		manual_orders.show_changes_after_creation(frm);
	},

	device_type(frm) {
		manual_orders.load_options(frm, true);
	},

	device_model(frm) {
		manual_orders.load_options(frm);
	},

	conditions_on_form_rendered(frm) {
		manual_orders.set_answer_options(frm);
	},

	// SOP §5 step 6: read the summary back before the order is created.
	before_workflow_action(frm) {
		if (frm.selected_workflow_action !== "Create Order") return;
		return manual_orders.confirm_summary(frm);
	},
});

LIVE_FIELDS.forEach((fieldname) => {
	frappe.ui.form.on("Manual Order", fieldname, (frm) => manual_orders.live_check(frm));
});

frappe.ui.form.on("Manual Order Condition", {
	question(frm) {
		manual_orders.set_answer_options(frm);
		manual_orders.live_check(frm);
	},
	answer: (frm) => manual_orders.live_check(frm),
	conditions_remove: (frm) => manual_orders.live_check(frm),
});

frappe.ui.form.on("Manual Order Accessory", {
	accessory: (frm) => manual_orders.live_check(frm),
	accessories_remove: (frm) => manual_orders.live_check(frm),
});

frappe.provide("manual_orders");

Object.assign(manual_orders, {
	questions: {},

	load_options(frm, reset_conditions) {
		if (!frm.doc.device_type && !frm.doc.device_model) return;
		frappe
			.call("manual_orders.api.get_catalogue_options", {
				device_type: frm.doc.device_type,
				device_model: frm.doc.device_model,
			})
			.then(({ message }) => {
				if (!message) return;
				frm.set_df_property("variant", "options", message.variants);
				manual_orders.questions = {};
				message.questions.forEach((q) => (manual_orders.questions[q.name] = q.answers));
				if (frm.doc.docstatus !== 0) return;
				if (message.brand && frm.doc.brand !== message.brand) frm.set_value("brand", message.brand);
				if (message.device_type && frm.doc.device_type !== message.device_type)
					frm.set_value("device_type", message.device_type);
				// The same questions in another order keep their answers (an order saved through the API).
				const asked = (frm.doc.conditions || []).map((row) => row.question).sort();
				const expected = message.questions.map((q) => q.name).sort();
				if (reset_conditions || asked.join("\n") !== expected.join("\n")) {
					frm.clear_table("conditions");
					message.questions.forEach((q) => frm.add_child("conditions", { question: q.name }));
					frm.refresh_field("conditions");
				}
			});
	},

	set_answer_options(frm) {
		const grid = frm.fields_dict.conditions.grid;
		(frm.doc.conditions || []).forEach((row) => {
			const grid_row = grid.grid_rows_by_docname[row.name];
			const answers = manual_orders.questions[row.question] || [];
			const field = grid_row && grid_row.get_field && grid_row.get_field("answer");
			if (field && field.set_data) field.set_data(answers);
		});
		grid.update_docfield_property("answer", "options", [].concat(...Object.values(manual_orders.questions)));
	},

	live_check: frappe.utils.debounce((frm) => {
		if (frm.doc.docstatus !== 0) return;
		frappe
			.call({
				method: "manual_orders.api.check_order",
				args: { doc: frm.doc },
				freeze: false,
			})
			.then(({ message }) => message && manual_orders.show_check(frm, message));
	}, 400),

	show_check(frm, result) {
		["base_price", "estimated_price", "price_low", "price_high"].forEach((fieldname) => {
			frm.doc[fieldname] = result[fieldname];
			frm.refresh_field(fieldname);
		});
		const escape = frappe.utils.escape_html;
		let html = "";
		frm.set_intro(); // set_intro appends: clear the previous check first
		if (result.violations.length) {
			html += `<div class="manual-order-violations"><b>${__("Not allowed yet:")}</b><ul>`;
			html += result.violations.map((v) => `<li data-field="${escape(v.field)}">${escape(v.message)}</li>`).join("");
			html += "</ul></div>";
			frm.set_intro(html, "red");
		} else {
			html += `<div class="manual-order-script"><b>${__("Read to the customer:")}</b> ${escape(result.call_script)}</div>`;
			html += `<div class="manual-order-summary"><b>${__("Order summary to read back:")}</b><ul>`;
			html += result.summary.map(([label, value]) => `<li>${escape(label)}: ${escape(value)}</li>`).join("");
			html += "</ul></div>";
			frm.set_intro(html, "blue");
		}
	},

	confirm_summary(frm) {
		return frappe
			.call("manual_orders.api.check_order", { doc: frm.doc })
			.then(({ message }) => {
				const escape = frappe.utils.escape_html;
				const rows = message.summary
					.map(([label, value]) => `<tr><th>${escape(label)}</th><td>${escape(value)}</td></tr>`)
					.join("");
				return new Promise((resolve, reject) => {
					frappe.dom.unfreeze();
					frappe.confirm(
						`<p>${__("Read this back to the customer and get their final confirmation:")}</p>
						<table class="table table-bordered manual-order-readback">${rows}</table>
						<p>${escape(message.call_script)}</p>`,
						() => {
							frappe.dom.freeze();
							resolve();
						},
						() => reject(new Error(__("Not confirmed by the customer")))
					);
				});
			});
	},

	show_created(frm) {
		const escape = frappe.utils.escape_html;
		frm.set_intro();
		const steps = (frm.doc.__onload || {}).next_steps || []; // sop/texts.py NEXT_STEPS, translated
		frm.set_intro(
			`<div class="manual-order-created"><div>${__("Order ID")}</div>
			<div style="font-size: 2em; font-weight: 700; letter-spacing: 0.05em">${escape(frm.doc.name)}</div>
			<b>${__("Tell the customer the next steps:")}</b><ol>${steps.map((s) => `<li>${escape(s)}</li>`).join("")}</ol>
			<div class="manual-order-messages"></div></div>`,
			"green"
		);
		frappe.db
			.get_list("Manual Order Message", {
				filters: { manual_order: frm.doc.name },
				fields: ["channel", "recipient", "status", "last_error"],
				order_by: "creation asc",
			})
			.then((messages) => {
				const list = messages
					.map((m) => `<li>${escape(m.channel)} → ${escape(m.recipient)}: <b>${escape(__(m.status))}</b>${
						m.last_error ? ` (${escape(m.last_error)})` : ""
					}</li>`)
					.join("");
				frm.$wrapper
					.find(".manual-order-messages")
					.html(list ? `<b>${__("Order ID messages:")}</b><ul>${list}</ul>` : "");
			});
	},

	// SOP §6: the assigned partner's users (and managers) move the pickup; the fields are never edited by hand.
	add_pickup_buttons(frm) {
		const pickup = (frm.doc.__onload || {}).pickup || {};
		(pickup.moves || []).forEach((status) => {
			frm.add_custom_button(__(status), () => manual_orders.move_pickup(frm, status, pickup), __("Pickup"));
		});
		if (pickup.can_assign) {
			const label = frm.doc.pickup_partner ? __("Reassign Partner") : __("Assign Partner");
			frm.add_custom_button(label, () => manual_orders.assign_partner(frm), __("Pickup"));
		}
		if (pickup.is_partner) {
			const due = frm.doc.pickup_due_by ? frappe.datetime.str_to_user(frm.doc.pickup_due_by) : "";
			frm.dashboard.set_headline_alert(
				`${__("Pickup")}: <b>${frappe.utils.escape_html(__(frm.doc.pickup_status || ""))}</b>
				${due ? ` · ${__("Due by {0}", [frappe.utils.escape_html(due)])}` : ""}`,
				frm.doc.sla_breached ? "red" : "blue"
			);
		}
	},

	move_pickup(frm, status, pickup) {
		const call = (values) =>
			frappe
				.call({
					method: "manual_orders.api.update_pickup",
					args: Object.assign({ order: frm.doc.name, status }, values),
					freeze: true,
				})
				.then(() => frm.reload_doc());
		if (status === "Picked Up" && pickup.needs_imei) {
			return frappe.prompt(
				[
					{ fieldname: "imei", fieldtype: "Data", label: __("IMEI"), reqd: 1, description: __("Dial *#06# on the phone; 15 digits.") },
					{ fieldname: "imei_evidence", fieldtype: "Attach", label: __("IMEI Check Evidence"), reqd: 1,
						description: __("Check the IMEI on the central register (CEIR) and attach the screenshot of the result.") },
				],
				(values) => call(values),
				__("Picked Up")
			);
		}
		if (status === "Pickup Failed") {
			return frappe.prompt(
				[{ fieldname: "failure_reason", fieldtype: "Link", options: "Pickup Failure Reason", label: __("Pickup Failure Reason"),
					reqd: 1, get_query: () => ({ filters: { enabled: 1 } }) }],
				(values) => call(values),
				__("Pickup Failed")
			);
		}
		return call({});
	},

	assign_partner(frm) {
		frappe.prompt(
			[{ fieldname: "partner", fieldtype: "Link", options: "Pickup Partner", label: __("Pickup Partner"), reqd: 1,
				get_query: () => ({ filters: { enabled: 1 } }) }],
			(values) =>
				frappe
					.call({ method: "manual_orders.api.assign_pickup_partner", args: { order: frm.doc.name, partner: values.partner } })
					.then(() => frm.reload_doc()),
			__("Assign Pickup Partner")
		);
	},

	// Consent evidence: the call the customer said yes on, and the code they read back.
	add_consent_buttons(frm) {
		if (frm.is_new() || !frm.has_perm("write")) return;
		const consent = (frm.doc.__onload || {}).consent || {};
		frm.add_custom_button(__("Choose Call"), () => manual_orders.choose_call(frm), __("Consent"));
		if (consent.require_otp && frm.doc.consent_fingerprint && frm.doc.consent_method !== "Verbal + OTP") {
			frm.add_custom_button(__("Send Consent Code"), () => manual_orders.send_consent_code(frm), __("Consent"));
			frm.dashboard.set_headline_alert(
				__("The customer must read back the consent code sent by SMS before the order is created."),
				"orange"
			);
		}
	},

	choose_call(frm) {
		frappe.call({ method: "manual_orders.api.consent_calls", args: { order: frm.doc.name } }).then(({ message }) => {
			const calls = message || [];
			if (!calls.length) {
				frappe.msgprint(__("No call with {0} in the last minutes was found in the Call Log.", [frm.doc.mobile_no]));
				return;
			}
			const options = calls.map((c) => ({
				value: c.name,
				label: `${frappe.datetime.str_to_user(c.start_time)} · ${__(c.type || "")} · ${c.number || ""} · ${__(c.status)}`,
			}));
			frappe.prompt(
				[{ fieldname: "call_log", fieldtype: "Select", label: __("Call Log"), options, default: calls[0].name, reqd: 1 }],
				(values) =>
					frappe
						.call({ method: "manual_orders.api.set_consent_call", args: { order: frm.doc.name, call_log: values.call_log } })
						.then(() => frm.reload_doc()),
				__("The Call the Customer Said Yes On")
			);
		});
	},

	send_consent_code(frm) {
		frappe
			.call({ method: "manual_orders.api.send_consent_otp", args: { order: frm.doc.name }, freeze: true })
			.then(() => manual_orders.enter_consent_code(frm));
	},

	enter_consent_code(frm) {
		const dialog = frappe.prompt(
			[{ fieldname: "code", fieldtype: "Data", label: __("Code the Customer Reads Out"), reqd: 1,
				description: __("Sent by SMS to {0}.", [frm.doc.mobile_no]) }],
			(values) =>
				frappe
					.call({ method: "manual_orders.api.verify_consent_otp", args: { order: frm.doc.name, code: values.code } })
					.then(({ message }) => {
						if (message.verified) return frm.reload_doc();
						frappe.msgprint({ message: message.message, indicator: "red", title: __("Consent Code") });
						if (message.attempts_left) manual_orders.enter_consent_code(frm);
					}),
			__("Consent Code"),
			__("Verify")
		);
		return dialog;
	},

	// Managers: who changed what after the order was created (SOP §9).
	show_changes_after_creation(frm) {
		const changes = (frm.doc.__onload || {}).changes_after_creation || [];
		if (!changes.length) return;
		const escape = frappe.utils.escape_html;
		const rows = changes
			.map((change) =>
				change.changes
					.map((c) => `<tr><td>${escape(change.at)}</td><td>${escape(change.by)}</td><td>${escape(c.field)}</td>
						<td>${escape(String(c.from ?? ""))}</td><td>${escape(String(c.to ?? ""))}</td></tr>`)
					.join("")
			)
			.join("");
		frm.dashboard.add_section(
			`<table class="table table-bordered small"><thead><tr><th>${__("When")}</th><th>${__("Who")}</th>
			<th>${__("Field")}</th><th>${__("From")}</th><th>${__("To")}</th></tr></thead><tbody>${rows}</tbody></table>`,
			__("Changes After Creation")
		);
	},

	add_dispute_button(frm) {
		if (!frm.has_perm("write")) return;
		frm.add_custom_button(__("Record Price Dispute"), () => {
			frappe.prompt(
				[
					{ fieldname: "customer_words", fieldtype: "Small Text", label: __("What the Customer Said"), reqd: 1 },
					{ fieldname: "notes", fieldtype: "Small Text", label: __("Dispute Notes") },
				],
				(values) => frm.call("record_price_dispute", values).then(() => frm.reload_doc()),
				__("Price Dispute (SOP §8)")
			);
		});
	},
});
