"""Plain catalogue and order values for the Frappe-free tests."""

from datetime import date, datetime, time, timedelta

from manual_orders.sop.catalogue import (
	Accessory,
	ConditionQuestion,
	CreationReason,
	DeviceModel,
	PickupSlot,
	ServiceArea,
	Variant,
)
from manual_orders.sop.rules import Catalogue, OrderInput

NOW = datetime(2026, 11, 26, 10, 0)

IPHONE = DeviceModel(
	name="iPhone 13",
	brand="Apple",
	device_type="Phone",
	variants=(Variant("128 GB", 30000), Variant("256 GB", 34000), Variant("512 GB", 38000, enabled=False)),
	high_end=True,
)
REDMI = DeviceModel(
	name="Redmi Note 13 Pro", brand="Xiaomi", device_type="Phone", variants=(Variant("8/128 GB", 10500),)
)
DEVICE_TYPES = ("Phone", "Laptop", "Tablet", "Mac")
HIGH_END = "High-end device needs assisted conversion"
REASONS = (
	CreationReason("Customer asked for help"),
	CreationReason("Customer faces technical issues"),
	CreationReason("Customer not comfortable using the app"),
	CreationReason(HIGH_END, needs_high_end_device=True),
)
QUESTIONS = [
	ConditionQuestion("Q-SCREEN", "Screen condition", {"Flawless": 0, "Minor scratches": 5, "Cracked": 30}),
	ConditionQuestion("Q-POWER", "Does it switch on?", {"Yes": 0, "No": 60}),
]
CHARGER = Accessory("Original Charger", 500, ("Phone",))
BOX = Accessory("Original Box", 300, ())
AREA = ServiceArea("560001", "Bengaluru", "Karnataka", True, ("Phone", "Laptop"))
MORNING = PickupSlot("10:00 - 12:00", time(10), time(12))


def good_order(**overrides) -> OrderInput:
	values = dict(
		creation_reason="Customer asked for help",
		mobile_no="98765 43210",
		device_type="Phone",
		brand="Apple",
		device_model="iPhone 13",
		variant="128 GB",
		answers={"Q-SCREEN": "Minor scratches", "Q-POWER": "Yes"},
		accessories=["Original Charger"],
		address_line1="Flat 4B, 12 MG Road, Ashok Nagar",
		landmark="Opposite Trinity Metro",
		city="Bengaluru",
		state="Karnataka",
		pincode="560001",
		pickup_date=(NOW + timedelta(days=1)).date(),
		pickup_slot="10:00 - 12:00",
		payment_method="UPI",
		upi_id="ravi.k@okhdfc",
	)
	values.update(overrides)
	return OrderInput(**values)


def good_catalogue(**overrides) -> Catalogue:
	values = dict(
		device_types=DEVICE_TYPES,
		creation_reasons=REASONS,
		model=IPHONE,
		questions=list(QUESTIONS),
		accessories={"Original Charger": CHARGER, "Original Box": BOX},
		area=AREA,
		slot=MORNING,
	)
	values.update(overrides)
	return Catalogue(**values)


def tomorrow() -> date:
	return (NOW + timedelta(days=1)).date()
