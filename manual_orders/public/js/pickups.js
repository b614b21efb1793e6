// The pickup partner at the door (/pickups, manual_orders/www/pickups): one pickup at a time.
// Plain JS, no build step: the page loads it from /assets/manual_orders/js/pickups.js.
// The server prices everything; this page only shows what it answers (money in integer paise).
(function () {
	"use strict";

	const API = "/api/method/manual_orders.api.";
	const OPEN = ["Awaiting Approval", "Ready to Send", "Code Sent"];
	const BOUGHT = ["As Agreed", "Accepted"];
	const T = JSON.parse(document.getElementById("door-texts").textContent);
	const root = document.getElementById("door");
	const list = document.getElementById("door-list");
	const view = document.getElementById("door-pickup");
	const alertBox = document.getElementById("door-alert");
	let current = null; // what door_pickup answered for the open pickup
	let inspecting = false; // the inspection form is open over an open offer

	// Money: integer paise in, rupees with Indian digit grouping out (₹1,23,456.50).

	function inr(paise) {
		const sign = paise < 0 ? "-" : "";
		const abs = Math.abs(Math.round(paise || 0));
		const rupees = String(Math.floor(abs / 100));
		const rest = abs % 100;
		let head = rupees.slice(0, -3);
		const tail = rupees.slice(-3);
		head = head.replace(/\B(?=(\d{2})+(?!\d))/g, ",");
		const grouped = head ? head + "," + tail : tail;
		return sign + "₹" + grouped + (rest ? "." + String(rest).padStart(2, "0") : "");
	}

	function said(status) {
		return T.statuses[status] || status;
	}

	function fill(text, ...values) {
		return values.reduce((out, value, i) => out.replace("{" + i + "}", value), text);
	}

	// Talking to the server: the session's CSRF token, the server's own error messages.

	function csrfToken() {
		return (window.frappe && window.frappe.csrf_token) || "";
	}

	async function call(method, args, httpMethod) {
		const get = httpMethod === "GET";
		const url = API + method + (get ? "?" + new URLSearchParams(args).toString() : "");
		const response = await fetch(url, {
			method: get ? "GET" : "POST",
			credentials: "same-origin",
			headers: {
				Accept: "application/json",
				"Content-Type": "application/json",
				"X-Frappe-CSRF-Token": csrfToken(),
			},
			body: get ? undefined : JSON.stringify(args),
		});
		return answer(response);
	}

	async function upload(file) {
		const form = new FormData();
		form.append("file", await smaller(file), file.name || "photo.jpg");
		form.append("is_private", "1");
		const response = await fetch("/api/method/upload_file", {
			method: "POST",
			credentials: "same-origin",
			headers: { Accept: "application/json", "X-Frappe-CSRF-Token": csrfToken() },
			body: form,
		});
		return (await answer(response)).file_url;
	}

	async function answer(response) {
		let body = {};
		try {
			body = await response.json();
		} catch (e) {
			body = {};
		}
		if (!response.ok || body.exc_type) {
			throw new Error(serverMessage(body) || response.status + " " + response.statusText);
		}
		return body.message;
	}

	function serverMessage(body) {
		const texts = [];
		try {
			JSON.parse(body._server_messages || "[]").forEach((raw) => {
				const message = JSON.parse(raw).message;
				if (message) texts.push(String(message));
			});
		} catch (e) {
			/* not Frappe's message list: fall through to the exception */
		}
		if (!texts.length && body.exception)
			texts.push(String(body.exception).split(": ").slice(1).join(": "));
		return texts.map(plain).join("\n");
	}

	function plain(html) {
		const el = document.createElement("div");
		el.innerHTML = html;
		return el.textContent;
	}

	// A phone photo is several MB: sent at most 1600 px wide as JPEG; the original when that fails.
	async function smaller(file) {
		try {
			const bitmap = await createImageBitmap(file);
			const scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height));
			if (scale === 1 && file.size < 1500000) return file;
			const canvas = document.createElement("canvas");
			canvas.width = Math.round(bitmap.width * scale);
			canvas.height = Math.round(bitmap.height * scale);
			canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
			return await new Promise((resolve) =>
				canvas.toBlob((b) => resolve(b || file), "image/jpeg", 0.85)
			);
		} catch (e) {
			return file;
		}
	}

	// Screens

	function showError(error) {
		alertBox.textContent = error.message || String(error);
		alertBox.hidden = false;
		window.scrollTo(0, 0);
	}

	function clearError() {
		alertBox.hidden = true;
		alertBox.textContent = "";
	}

	function el(tag, attrs, ...children) {
		const node = document.createElement(tag);
		Object.entries(attrs || {}).forEach(([key, value]) => {
			if (value === false || value === null || value === undefined) return;
			if (key === "onclick") node.addEventListener("click", value);
			else if (key === "onchange") node.addEventListener("change", value);
			else if (key === "text") node.textContent = value;
			else node.setAttribute(key, value === true ? "" : value);
		});
		children.flat().forEach((child) => {
			if (child === null || child === undefined || child === false) return;
			node.append(child instanceof Node ? child : document.createTextNode(String(child)));
		});
		return node;
	}

	function button(text, onclick, kind) {
		return el(
			"button",
			{ type: "button", class: "door-btn " + (kind || "door-btn-primary"), onclick },
			text
		);
	}

	async function busy(btn, work) {
		clearError();
		const buttons = view.querySelectorAll("button, input, select");
		buttons.forEach((b) => (b.disabled = true));
		const label = btn && btn.textContent;
		if (btn) btn.textContent = "…";
		try {
			await work();
		} catch (error) {
			showError(error);
			buttons.forEach((b) => (b.disabled = false));
			if (btn) btn.textContent = label;
		}
	}

	async function load(name) {
		current = await call("door_pickup", { order: name }, "GET");
		inspecting = false;
		if (location.hash !== "#" + name) history.pushState(null, "", "#" + name);
		render();
	}

	async function openPickup(name) {
		clearError();
		try {
			await load(name);
		} catch (error) {
			showError(error);
		}
	}

	function backToList() {
		location.href = "/pickups";
	}

	function render() {
		list.hidden = true;
		view.hidden = false;
		view.replaceChildren(header(), ...stage());
		root.dataset.stage = view.dataset.stage || "";
		window.scrollTo(0, 0);
	}

	function header() {
		const o = current.order;
		return el(
			"div",
			{ class: "door-head" },
			button("‹ " + T.back, backToList, "door-btn-plain door-back"),
			el(
				"div",
				{ class: "door-card-top" },
				el("span", { class: "door-order-id" }, o.name),
				el("span", { class: "door-status", "data-status": o.pickup_status }, said(o.pickup_status))
			),
			el("div", { class: "door-customer" }, o.customer_name),
			el("div", { class: "door-line" }, o.address),
			o.landmark ? el("div", { class: "door-line door-muted" }, T.landmark + ": " + o.landmark) : null,
			el("div", { class: "door-line" }, T.slot + ": ", el("strong", {}, o.pickup_slot)),
			el(
				"div",
				{ class: "door-line" },
				T.device + ": " + [o.brand, o.device_model, o.variant].filter(Boolean).join(" ")
			)
		);
	}

	function stage() {
		const o = current.order;
		const offer = current.inspection;
		if (o.pickup_status === "Picked Up")
			return done("done", fill(T.done, offer ? inr(offer.final_paise) : ""));
		if (o.pickup_status === "Pickup Failed")
			return done("failed", fill(T.failed, o.pickup_failure_reason || ""));
		if (o.pickup_status !== "Out for Pickup") return startStage();
		if (!offer || inspecting) return inspectionForm();
		return offerStage(offer);
	}

	function done(kind, text) {
		view.dataset.stage = kind;
		return [el("p", { class: "door-result door-result-" + kind }, text)];
	}

	function startStage() {
		view.dataset.stage = "start";
		const start = current.moves.includes("Out for Pickup")
			? button(T.start, (e) => move(e.currentTarget, { status: "Out for Pickup" }))
			: null;
		return [start, failBox()];
	}

	async function move(btn, args) {
		await busy(btn, async () => {
			await call("update_pickup", { order: current.order.name, ...args });
			await load(current.order.name);
		});
	}

	function failBox() {
		if (!current.moves.includes("Pickup Failed")) return null;
		const select = el(
			"select",
			{ id: "door-failure-reason", class: "door-input" },
			current.failure_reasons.map((r) => el("option", { value: r }, r))
		);
		return el(
			"details",
			{ class: "door-fail" },
			el("summary", {}, T.could_not),
			el("label", { class: "door-label", for: "door-failure-reason" }, T.failure_reason),
			select,
			button(
				T.mark_failed,
				(e) => move(e.currentTarget, { status: "Pickup Failed", failure_reason: select.value }),
				"door-btn-danger"
			)
		);
	}

	// The inspection: what the partner sees, never a price

	function inspectionForm() {
		view.dataset.stage = "inspection";
		const form = current.form;
		const agreed = form.agreed;
		const model = el(
			"select",
			{ id: "door-model", name: "device_model", class: "door-input" },
			form.models.map((m) =>
				el("option", { value: m.name, selected: m.name === agreed.device_model }, m.name)
			)
		);
		const variant = el("select", { id: "door-variant", name: "variant", class: "door-input" });
		const fillVariants = () => {
			const chosen = form.models.find((m) => m.name === model.value) || { variants: [] };
			variant.replaceChildren(
				...chosen.variants.map((v) => el("option", { value: v, selected: v === agreed.variant }, v))
			);
		};
		model.addEventListener("change", fillVariants);
		fillVariants();
		// Another model or variant than agreed: a photo of its About screen, if it lowers the price.
		const devicePhoto = el(
			"div",
			{ class: "door-photo", hidden: true },
			el("label", { class: "door-label door-photo-label", for: "door-photo-device" }, T.device_photo),
			el("input", {
				type: "file",
				id: "door-photo-device",
				class: "door-input door-file",
				accept: "image/*",
				capture: "environment",
				"data-question": "device",
			})
		);
		const showDevicePhoto = () =>
			(devicePhoto.hidden = model.value === agreed.device_model && variant.value === agreed.variant);
		model.addEventListener("change", showDevicePhoto);
		variant.addEventListener("change", showDevicePhoto);
		const node = el(
			"form",
			{ class: "door-form", id: "door-inspection", novalidate: true },
			el("h2", { class: "door-title" }, T.inspect),
			el("label", { class: "door-label", for: "door-model" }, T.model),
			model,
			el("label", { class: "door-label", for: "door-variant" }, T.variant),
			variant,
			devicePhoto,
			form.questions.map((q, i) => questionField(q, i, agreed.answers[q.name])),
			el(
				"fieldset",
				{ class: "door-fieldset" },
				el("legend", {}, T.accessories),
				form.accessories.map((a, i) => checkbox("door-acc-" + i, a, agreed.accessories.includes(a)))
			),
			el(
				"fieldset",
				{ class: "door-fieldset" },
				el("legend", {}, T.checks),
				["powers_on", "account_lock_removed", "imei_blocked"].map(yesNo)
			),
			current.order.needs_imei
				? null
				: el("label", { class: "door-label", for: "door-serial" }, T.serial_no),
			current.order.needs_imei
				? null
				: el("input", {
						id: "door-serial",
						name: "serial_no",
						class: "door-input",
						autocomplete: "off",
				  }),
			button(T.record, (e) => recordInspection(e.currentTarget, node))
		);
		node.addEventListener("submit", (e) => e.preventDefault());
		return [node, failBox()];
	}

	function questionField(q, index, agreedAnswer) {
		const photo = el(
			"div",
			{ class: "door-photo", hidden: true },
			el("label", { class: "door-label door-photo-label", for: "door-photo-" + index }, T.photo),
			el("input", {
				type: "file",
				id: "door-photo-" + index,
				class: "door-input door-file",
				accept: "image/*",
				capture: "environment",
				"data-question": q.name,
			}),
			el("p", { class: "door-hint" }, T.photo_needed)
		);
		const showPhoto = (answer) => (photo.hidden = !q.photo_answers.includes(answer));
		const options = q.answers.map((a, j) => {
			const id = "door-q" + index + "-" + j;
			return el(
				"label",
				{ class: "door-choice", for: id },
				el("input", {
					type: "radio",
					id,
					name: "q" + index,
					value: a,
					checked: a === agreedAnswer,
					"data-question": q.name,
					onchange: () => showPhoto(a),
				}),
				el(
					"span",
					{},
					a,
					a === agreedAnswer ? el("small", { class: "door-muted" }, " · " + T.as_agreed) : null
				)
			);
		});
		showPhoto(agreedAnswer);
		return el(
			"fieldset",
			{ class: "door-fieldset door-question" },
			el("legend", {}, q.question),
			options,
			photo
		);
	}

	function checkbox(id, text, checked) {
		return el(
			"label",
			{ class: "door-choice", for: id },
			el("input", { type: "checkbox", id, value: text, checked, "data-accessory": text }),
			el("span", {}, text)
		);
	}

	function yesNo(check) {
		const choice = (value, text) =>
			el(
				"label",
				{ class: "door-choice door-choice-half", for: "door-" + check + "-" + value },
				el("input", { type: "radio", id: "door-" + check + "-" + value, name: check, value }),
				el("span", {}, text)
			);
		return el(
			"div",
			{ class: "door-check", role: "radiogroup", "aria-label": T[check] },
			el("div", { class: "door-check-label" }, T[check]),
			el("div", { class: "door-pair" }, choice("1", T.yes), choice("0", T.no))
		);
	}

	async function recordInspection(btn, form) {
		const checks = {};
		for (const name of ["powers_on", "account_lock_removed", "imei_blocked"]) {
			const chosen = form.querySelector(`input[name="${name}"]:checked`);
			if (!chosen) return showError(new Error(T.answer_checks));
			checks[name] = Number(chosen.value);
		}
		await busy(btn, async () => {
			const answers = {};
			form.querySelectorAll(".door-question input[type=radio]:checked").forEach(
				(r) => (answers[r.dataset.question] = r.value)
			);
			const photos = {};
			for (const input of form.querySelectorAll(".door-photo:not([hidden]) input[type=file]")) {
				if (input.files.length) photos[input.dataset.question] = await upload(input.files[0]);
			}
			const serial = form.querySelector("#door-serial");
			current.inspection = await call("record_inspection", {
				order: current.order.name,
				device_model: form.querySelector("#door-model").value,
				variant: form.querySelector("#door-variant").value,
				answers,
				accessories: [...form.querySelectorAll("input[data-accessory]:checked")].map((c) => c.value),
				...checks,
				serial_no: serial ? serial.value : "",
				photos,
			});
			await load(current.order.name);
		});
	}

	// The offer, the customer's code, the pickup

	function offerStage(offer) {
		view.dataset.stage = "offer";
		view.dataset.offer = offer.offer_status;
		const parts = [offerCard(offer)];
		const status = offer.offer_status;
		if (status === "Awaiting Approval") {
			parts.push(
				el("p", { class: "door-note" }, T.awaiting),
				button(
					T.refresh,
					(e) => busy(e.currentTarget, () => load(current.order.name)),
					"door-btn-secondary"
				)
			);
		}
		if (status === "Ready to Send") parts.push(button(T.send_code, (e) => sendCode(e.currentTarget)));
		if (status === "Code Sent") parts.push(codeEntry(offer));
		if (OPEN.includes(status)) {
			parts.push(button(T.decline, (e) => decline(e.currentTarget, offer), "door-btn-danger"));
			parts.push(
				button(
					T.inspect_again,
					() => {
						inspecting = true;
						render();
					},
					"door-btn-plain"
				)
			);
		}
		if (BOUGHT.includes(status)) parts.push(pickedUpForm(offer));
		if (!BOUGHT.includes(status)) parts.push(failBox());
		return parts;
	}

	function offerCard(offer) {
		const changed = offer.offer_status !== "As Agreed";
		return el(
			"div",
			{ class: "door-offer", id: "door-offer" },
			el(
				"div",
				{ class: "door-card-top" },
				el("span", { class: "door-title" }, T.offer),
				el(
					"span",
					{ class: "door-status", "data-status": offer.offer_status },
					said(offer.offer_status)
				)
			),
			changed
				? el(
						"p",
						{ class: "door-price" },
						fill(T.instead_of, inr(offer.offer_paise), inr(offer.agreed_paise))
				  )
				: el("p", { class: "door-price" }, fill(T.agreed_price, inr(offer.agreed_paise))),
			offer.differences.length
				? el(
						"ul",
						{ class: "door-diffs" },
						offer.differences.map((d) =>
							el(
								"li",
								{},
								el("span", {}, d.label + ": " + (d.agreed || "-") + " → " + (d.found || "-")),
								el("strong", {}, (d.amount_paise > 0 ? "+" : "") + inr(d.amount_paise))
							)
						)
				  )
				: null
		);
	}

	async function sendCode(btn) {
		await busy(btn, async () => {
			current.inspection = await call("send_offer_code", { inspection: current.inspection.name });
			await load(current.order.name);
		});
	}

	function codeEntry(offer) {
		const input = el("input", {
			id: "door-code",
			class: "door-input door-code",
			inputmode: "numeric",
			autocomplete: "one-time-code",
			pattern: "[0-9]*",
			maxlength: "6",
			name: "code",
		});
		input.addEventListener("input", clearError);
		return el(
			"div",
			{ class: "door-code-box" },
			el("p", { class: "door-note" }, T.code_sent),
			el("label", { class: "door-label", for: "door-code" }, T.code),
			input,
			button(T.accept, (e) => accept(e.currentTarget, offer, input.value.trim())),
			button(T.send_again, (e) => sendCode(e.currentTarget), "door-btn-secondary")
		);
	}

	async function accept(btn, offer, code) {
		await busy(btn, async () => {
			const result = await call("accept_offer", { inspection: offer.name, code });
			if (!result.accepted) throw new Error(result.message || T.attempts_left);
			await load(current.order.name);
		});
	}

	async function decline(btn, offer) {
		if (!window.confirm(T.decline_sure)) return;
		await busy(btn, async () => {
			await call("decline_offer", { inspection: offer.name });
			await load(current.order.name);
		});
	}

	function pickedUpForm(offer) {
		const needsImei = current.order.needs_imei;
		return el(
			"form",
			{ class: "door-form", id: "door-picked-up", novalidate: true },
			el("h2", { class: "door-title" }, T.picked_up_title),
			el("p", { class: "door-price" }, fill(T.final_price, inr(offer.final_paise))),
			needsImei ? el("label", { class: "door-label", for: "door-imei" }, T.imei) : null,
			needsImei
				? el("input", {
						id: "door-imei",
						class: "door-input",
						inputmode: "numeric",
						maxlength: "15",
						autocomplete: "off",
				  })
				: null,
			needsImei ? el("label", { class: "door-label", for: "door-evidence" }, T.evidence) : null,
			needsImei
				? el("input", {
						id: "door-evidence",
						type: "file",
						class: "door-input door-file",
						accept: "image/*",
						capture: "environment",
				  })
				: null,
			button(T.picked_up, (e) => pickedUp(e.currentTarget))
		);
	}

	async function pickedUp(btn) {
		const imei = view.querySelector("#door-imei");
		const evidence = view.querySelector("#door-evidence");
		await busy(btn, async () => {
			const args = { order: current.order.name, status: "Picked Up" };
			if (imei) args.imei = imei.value.trim();
			if (evidence && evidence.files.length) args.imei_evidence = await upload(evidence.files[0]);
			await call("update_pickup", args);
			await load(current.order.name);
		});
	}

	// The list: a tap opens the pickup; the back button and a reload keep the place (#Order ID)

	root.querySelectorAll(".door-card[data-order]").forEach((card) =>
		card.addEventListener("click", () => openPickup(card.dataset.order))
	);
	window.addEventListener("popstate", () => {
		if (location.hash.length > 1) openPickup(decodeURIComponent(location.hash.slice(1)));
		else backToList();
	});
	if (location.hash.length > 1) openPickup(decodeURIComponent(location.hash.slice(1)));
})();
