"""A working demo: catalogue, prices, condition questions, pincodes, slots and Leads.

    bench --site SITE execute manual_orders.setup.demo.load_demo

Safe to run again: it only adds what is missing.
"""

import frappe

from manual_orders.setup.install import DEVICE_TYPES, ensure_records, insert_if_missing

# (brand, device type, model, ((variant, base price in INR), ...))
MODELS = (
	("Apple", "Phone", "iPhone 11", (("64 GB", 14000), ("128 GB", 16000))),
	("Apple", "Phone", "iPhone 12", (("64 GB", 19000), ("128 GB", 21500), ("256 GB", 24000))),
	("Apple", "Phone", "iPhone 13", (("128 GB", 30000), ("256 GB", 34000), ("512 GB", 38000))),
	("Apple", "Phone", "iPhone 14", (("128 GB", 38000), ("256 GB", 42500), ("512 GB", 47000))),
	("Apple", "Phone", "iPhone 15", (("128 GB", 48000), ("256 GB", 53000), ("512 GB", 58000))),
	("Apple", "Phone", "iPhone 15 Pro", (("128 GB", 62000), ("256 GB", 67000), ("1 TB", 78000))),
	("Samsung", "Phone", "Galaxy S21", (("128 GB", 17000), ("256 GB", 19000))),
	("Samsung", "Phone", "Galaxy S22", (("128 GB", 22000), ("256 GB", 24500))),
	("Samsung", "Phone", "Galaxy S23", (("128 GB", 32000), ("256 GB", 35000))),
	("Samsung", "Phone", "Galaxy S24 Ultra", (("256 GB", 68000), ("512 GB", 74000))),
	("Samsung", "Phone", "Galaxy A54", (("128 GB", 13000), ("256 GB", 15000))),
	("Samsung", "Phone", "Galaxy Z Flip5", (("256 GB", 38000), ("512 GB", 42000))),
	("OnePlus", "Phone", "OnePlus 11", (("8/128 GB", 22000), ("16/256 GB", 26000))),
	("OnePlus", "Phone", "OnePlus 12", (("12/256 GB", 34000), ("16/512 GB", 39000))),
	("OnePlus", "Phone", "OnePlus Nord 3", (("8/128 GB", 12500), ("16/256 GB", 15000))),
	("Xiaomi", "Phone", "Redmi Note 13 Pro", (("8/128 GB", 10500), ("8/256 GB", 12000))),
	("Xiaomi", "Phone", "Xiaomi 14", (("12/512 GB", 36000),)),
	("Google", "Phone", "Pixel 7", (("128 GB", 18000), ("256 GB", 20500))),
	("Google", "Phone", "Pixel 8", (("128 GB", 30000), ("256 GB", 33000))),
	("Google", "Phone", "Pixel 8 Pro", (("128 GB", 42000), ("256 GB", 46000))),
	("Apple", "Tablet", "iPad 10th Gen", (("64 GB Wi-Fi", 22000), ("256 GB Wi-Fi", 28000))),
	("Apple", "Tablet", "iPad Air M1", (("64 GB Wi-Fi", 30000), ("256 GB Wi-Fi", 37000))),
	("Apple", "Tablet", "iPad Pro 11 M2", (("128 GB Wi-Fi", 50000), ("256 GB Wi-Fi", 56000))),
	("Apple", "Tablet", "iPad mini 6", (("64 GB Wi-Fi", 24000), ("256 GB Wi-Fi", 30000))),
	("Samsung", "Tablet", "Galaxy Tab S8", (("128 GB Wi-Fi", 26000), ("256 GB Wi-Fi", 29000))),
	("Samsung", "Tablet", "Galaxy Tab S9", (("128 GB Wi-Fi", 40000), ("256 GB Wi-Fi", 44000))),
	("Samsung", "Tablet", "Galaxy Tab A8", (("32 GB", 6500), ("64 GB", 7500))),
	("Xiaomi", "Tablet", "Xiaomi Pad 6", (("6/128 GB", 13000), ("8/256 GB", 15500))),
	("Lenovo", "Tablet", "Tab P11 Pro", (("6/128 GB", 12000),)),
	("Dell", "Laptop", "XPS 13 9310", (("i5/8 GB/256 GB", 32000), ("i7/16 GB/512 GB", 42000))),
	("Dell", "Laptop", "Inspiron 15 3520", (("i3/8 GB/512 GB", 17000), ("i5/16 GB/512 GB", 22000))),
	("Dell", "Laptop", "Latitude 5420", (("i5/8 GB/256 GB", 21000), ("i7/16 GB/512 GB", 28000))),
	("HP", "Laptop", "Pavilion 14", (("i5/8 GB/512 GB", 20000), ("i7/16 GB/512 GB", 26000))),
	("HP", "Laptop", "EliteBook 840 G8", (("i5/16 GB/512 GB", 30000), ("i7/16 GB/1 TB", 36000))),
	("HP", "Laptop", "Victus 15", (("R5/8 GB/512 GB", 24000), ("i5/16 GB/512 GB", 29000))),
	("Lenovo", "Laptop", "ThinkPad T14 Gen 2", (("i5/16 GB/512 GB", 30000), ("i7/16 GB/1 TB", 37000))),
	("Lenovo", "Laptop", "IdeaPad Slim 5", (("R5/16 GB/512 GB", 25000), ("R7/16 GB/512 GB", 29000))),
	("Lenovo", "Laptop", "Legion 5", (("R7/16 GB/512 GB RTX 3060", 52000),)),
	(
		"Asus",
		"Laptop",
		"ROG Strix G15",
		(("R7/16 GB/512 GB RTX 3050", 45000), ("R9/16 GB/1 TB RTX 3070", 62000)),
	),
	("Asus", "Laptop", "Vivobook 15", (("i3/8 GB/512 GB", 15000), ("i5/8 GB/512 GB", 19000))),
	("Acer", "Laptop", "Aspire 7", (("i5/8 GB/512 GB", 21000),)),
	("Apple", "Mac", "MacBook Air M1", (("8 GB/256 GB", 42000), ("16 GB/512 GB", 52000))),
	("Apple", "Mac", "MacBook Air M2", (("8 GB/256 GB", 58000), ("16 GB/512 GB", 70000))),
	("Apple", "Mac", "MacBook Air M3", (("8 GB/256 GB", 72000), ("16 GB/512 GB", 86000))),
	("Apple", "Mac", "MacBook Pro 13 M2", (("8 GB/256 GB", 64000), ("16 GB/512 GB", 78000))),
	("Apple", "Mac", "MacBook Pro 14 M3 Pro", (("18 GB/512 GB", 115000), ("36 GB/1 TB", 140000))),
	("Apple", "Mac", "iMac 24 M1", (("8 GB/256 GB", 60000), ("16 GB/512 GB", 72000))),
	("Apple", "Mac", "Mac mini M2", (("8 GB/256 GB", 36000), ("16 GB/512 GB", 46000))),
)
# SOP §2 "High-end device (iPhone/MacBook) needs assisted conversion": iPhones, Macs and flagships.
HIGH_END_MODELS = (
	"iPhone 13",
	"iPhone 14",
	"iPhone 15",
	"iPhone 15 Pro",
	"Galaxy S23",
	"Galaxy S24 Ultra",
	"Galaxy Z Flip5",
	"OnePlus 12",
	"Pixel 8 Pro",
	"iPad Pro 11 M2",
	"MacBook Air M1",
	"MacBook Air M2",
	"MacBook Air M3",
	"MacBook Pro 13 M2",
	"MacBook Pro 14 M3 Pro",
	"iMac 24 M1",
	"Mac mini M2",
)

# device type -> ((question, ((answer, deduction %), ...)), ...)
QUESTIONS = {
	"Phone": (
		("Does the phone switch on and make calls?", (("Yes", 0), ("No", 60))),
		(
			"Screen condition",
			(("Flawless", 0), ("Minor scratches", 5), ("Major scratches", 15), ("Cracked", 35)),
		),
		("Body condition", (("Like new", 0), ("Minor dents", 5), ("Major dents or broken back", 15))),
		("Battery health", (("Above 85%", 0), ("75% to 85%", 6), ("Below 75%", 12))),
		("Face ID / fingerprint working?", (("Yes", 0), ("No", 10))),
	),
	"Tablet": (
		("Does the tablet switch on?", (("Yes", 0), ("No", 60))),
		("Screen condition", (("Flawless", 0), ("Minor scratches", 5), ("Cracked", 35))),
		("Body condition", (("Like new", 0), ("Minor dents", 5), ("Major dents", 15))),
	),
	"Laptop": (
		("Does the laptop boot?", (("Yes", 0), ("No", 55))),
		("Screen condition", (("Flawless", 0), ("Spots or lines", 15), ("Broken", 35))),
		("Keyboard and touchpad working?", (("Yes", 0), ("Some keys faulty", 8), ("No", 15))),
		("Battery backup", (("Over 2 hours", 0), ("Under 2 hours", 7), ("Dead", 15))),
	),
	"Mac": (
		("Does the Mac boot and is Activation Lock off?", (("Yes", 0), ("No", 70))),
		(
			"Screen condition",
			(("Flawless", 0), ("Minor scratches", 5), ("Spots or lines", 20), ("Broken", 40)),
		),
		("Body condition", (("Like new", 0), ("Minor dents", 5), ("Major dents", 12))),
		("Battery cycle count", (("Under 300", 0), ("300 to 800", 6), ("Over 800", 12))),
	),
}

# (accessory, price adjustment INR, device types)
ACCESSORIES = (
	("Original Box", 300, ("Phone", "Tablet")),
	("Original Charger", 500, ("Phone", "Tablet", "Laptop", "Mac")),
	("Original Earphones", 200, ("Phone",)),
	("Laptop Bag", 400, ("Laptop", "Mac")),
	("Valid Bill / Invoice", 700, ()),
	("Apple Pencil", 3000, ("Tablet",)),
)

ALL_TYPES = DEVICE_TYPES
# (city, state, device types served, pincodes)
PINCODES = (
	(
		"Bengaluru",
		"Karnataka",
		ALL_TYPES,
		("560001", "560002", "560003", "560004", "560008", "560034", "560038", "560066", "560076", "560095"),
	),
	(
		"Mumbai",
		"Maharashtra",
		ALL_TYPES,
		("400001", "400050", "400053", "400063", "400070", "400076", "400601"),
	),
	("Delhi", "Delhi", ALL_TYPES, ("110001", "110016", "110017", "110019", "110025", "110085")),
	(
		"Hyderabad",
		"Telangana",
		("Phone", "Laptop", "Mac"),
		("500001", "500032", "500034", "500081", "500084"),
	),
	("Chennai", "Tamil Nadu", ("Phone", "Tablet"), ("600001", "600017", "600028", "600040")),
	("Pune", "Maharashtra", ("Phone", "Laptop"), ("411001", "411014", "411038")),
)

# Pickups per slot per city per day; Bengaluru's busy morning takes more.
SLOT_CAPACITY = 10
CITY_SLOT_CAPACITIES = {"09:00 - 11:00": (("Bengaluru", 15),)}
# (partner, city, pickups per day): each covers every demo pincode of its city
PARTNERS = (
	("QuickPick Bengaluru", "Bengaluru", 25),
	("DoorStep Bengaluru", "Bengaluru", 20),
	("QuickPick Mumbai", "Mumbai", 25),
	("Capital Pickups Delhi", "Delhi", 25),
	("Deccan Pickups Hyderabad", "Hyderabad", 15),
	("Marina Pickups Chennai", "Chennai", 15),
	("Pune Pickups", "Pune", 10),
)
# A user who acts for the first partner (set a password in the User form to log in as them)
PARTNER_USER = "partner@quickpick.example"

SLOTS = (
	("09:00 - 11:00", "09:00:00", "11:00:00"),
	("11:00 - 13:00", "11:00:00", "13:00:00"),
	("13:00 - 15:00", "13:00:00", "15:00:00"),
	("15:00 - 17:00", "15:00:00", "17:00:00"),
	("17:00 - 19:00", "17:00:00", "19:00:00"),
)

LEADS = (
	("Ravi Kumar", "9876543210", "Bengaluru", "Karnataka"),
	("Priya Sharma", "9812345678", "Mumbai", "Maharashtra"),
	("Arjun Reddy", "9900112233", "Hyderabad", "Telangana"),
	("Meera Iyer", "9445566778", "Chennai", "Tamil Nadu"),
	("Sanjay Gupta", "9810098100", "Delhi", "Delhi"),
)


def load_demo() -> dict:
	"""Loads the demo catalogue and Leads; returns how many of each exist."""
	ensure_records()
	for brand in sorted({row[0] for row in MODELS}):
		insert_if_missing("Brand", brand, brand=brand)
	for brand, device_type, model, variants in MODELS:
		insert_if_missing(
			"Device Model",
			model,
			model_name=model,
			brand=brand,
			device_type=device_type,
			high_end=int(model in HIGH_END_MODELS),
			variants=[{"variant_name": v, "base_price": price} for v, price in variants],
		)
	load_questions()
	for name, price, types in ACCESSORIES:
		insert_if_missing(
			"Device Accessory",
			name,
			accessory_name=name,
			price_adjustment=price,
			device_types=[{"device_type": t} for t in types],
		)
	for city, state, types, pincodes in PINCODES:
		for pincode in pincodes:
			insert_if_missing(
				"Serviceable Pincode",
				pincode,
				pincode=pincode,
				city=city,
				state=state,
				device_types=[{"device_type": t} for t in types],
			)
	for label, start, end in SLOTS:
		insert_if_missing(
			"Pickup Slot",
			label,
			slot_label=label,
			start_time=start,
			end_time=end,
			capacity=SLOT_CAPACITY,
			city_capacities=[{"city": c, "capacity": n} for c, n in CITY_SLOT_CAPACITIES.get(label, ())],
		)
	load_partners()
	load_leads()
	load_settlement()
	frappe.db.commit()  # nosemgrep: run from the CLI, not a request
	return {
		doctype: frappe.db.count(doctype)
		for doctype in (
			"Device Model",
			"Condition Question",
			"Serviceable Pincode",
			"Pickup Slot",
			"Pickup Partner",
			"Lead",
		)
	}


def load_settlement() -> None:
	"""Where a bought device lands (issue 24), on the site's first company, where admins left
	the settlement settings empty: a buy-back Warehouse, a Supplier Group for sellers, an Item
	Group for devices, and the company's cash account to pay from (manual UTRs; no payout API)."""
	company = frappe.db.get_value("Company", {}, "name", order_by="creation asc")
	if not company or frappe.db.get_single_value("Manual Order Settlement Settings", "warehouse"):
		return
	settings = frappe.get_single("Manual Order Settlement Settings")
	abbr = frappe.db.get_value("Company", company, "abbr")
	insert_if_missing(
		"Supplier Group",
		"Device Sellers",
		supplier_group_name="Device Sellers",
		parent_supplier_group="All Supplier Groups",
	)
	insert_if_missing(
		"Item Group",
		"Bought-back Devices",
		item_group_name="Bought-back Devices",
		parent_item_group="All Item Groups",
	)
	warehouse = f"Buy-back Stores - {abbr}"
	if not frappe.db.exists("Warehouse", warehouse):
		frappe.get_doc(
			{"doctype": "Warehouse", "warehouse_name": "Buy-back Stores", "company": company}
		).insert(ignore_permissions=True)
	settings.update(
		{
			"company": company,
			"warehouse": warehouse,
			"supplier_group": "Device Sellers",
			"item_group": "Bought-back Devices",
			"paid_from_account": frappe.db.get_value("Company", company, "default_cash_account")
			or frappe.db.get_value("Account", {"company": company, "account_type": "Cash", "is_group": 0}),
		}
	)
	settings.save(ignore_permissions=True)


def load_questions():
	for device_type, questions in QUESTIONS.items():
		for order, (question, answers) in enumerate(questions, start=1):
			if frappe.db.exists("Condition Question", {"device_type": device_type, "question": question}):
				continue
			frappe.get_doc(
				{
					"doctype": "Condition Question",
					"device_type": device_type,
					"question": question,
					"sort_order": order,
					"answers": [{"answer": a, "deduction_percent": d} for a, d in answers],
				}
			).insert(ignore_permissions=True)


def load_partners():
	"""Each demo city's partners as ERPNext Suppliers, and one partner user."""
	if not frappe.db.exists("User", PARTNER_USER):
		user = frappe.get_doc(
			{
				"doctype": "User",
				"email": PARTNER_USER,
				"first_name": "QuickPick",
				"last_name": "Partner",
				"send_welcome_email": 0,
				"user_type": "System User",
				"roles": [{"role": "Pickup Partner"}],
			}
		)
		user.insert(ignore_permissions=True)
	for partner, city, daily_capacity in PARTNERS:
		insert_if_missing("Supplier", partner, supplier_name=partner, supplier_type="Company")
		pincodes = next(codes for name, _state, _types, codes in PINCODES if name == city)
		insert_if_missing(
			"Pickup Partner",
			partner,
			partner_name=partner,
			supplier=partner,
			daily_capacity=daily_capacity,
			pincodes=[{"pincode": pincode} for pincode in pincodes],
			users=[{"user": PARTNER_USER}] if partner == PARTNERS[0][0] else [],
		)


def load_leads():
	for name, mobile, city, state in LEADS:
		if frappe.db.exists("Lead", {"mobile_no": mobile}):
			continue
		first, last = name.split(" ", 1)
		frappe.get_doc(
			{
				"doctype": "Lead",
				"first_name": first,
				"last_name": last,
				"mobile_no": mobile,
				"city": city,
				"state": state,
				"country": "India",
				"source": None,
			}
		).insert(ignore_permissions=True)
