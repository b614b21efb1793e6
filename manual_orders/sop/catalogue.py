"""The catalogue as plain values: what the rules and the price need to know.

The Frappe glue reads these from the DocTypes admins maintain (Device Type, Device Model,
Condition Question, Device Accessory, Serviceable Pincode, Pickup Slot, Manual Order
Creation Reason).
"""

from dataclasses import dataclass, field
from datetime import time


@dataclass(frozen=True)
class Variant:
	name: str
	base_price: int
	enabled: bool = True


@dataclass(frozen=True)
class DeviceModel:
	name: str
	brand: str
	device_type: str
	supported: bool = True
	variants: tuple[Variant, ...] = ()
	high_end: bool = False

	def variant(self, name) -> Variant | None:
		return next((v for v in self.variants if v.name == name), None)


@dataclass(frozen=True)
class ConditionQuestion:
	name: str
	question: str
	answers: dict[str, float] = field(default_factory=dict)
	"""Answer -> deduction, as a percentage of the variant's base price."""


@dataclass(frozen=True)
class Accessory:
	name: str
	price_adjustment: int
	device_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServiceArea:
	pincode: str
	city: str
	state: str
	enabled: bool = True
	device_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class PickupSlot:
	"""A pickup slot; `capacity` pickups per city per day (0: any), `city_capacities` a city's own."""

	name: str
	start: time
	end: time
	enabled: bool = True
	capacity: int = 0
	city_capacities: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class CreationReason:
	"""A case of SOP §2 in which an agent may create an order for the customer."""

	name: str
	needs_high_end_device: bool = False
