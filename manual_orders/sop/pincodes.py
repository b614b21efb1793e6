"""Which states a pincode can belong to, from its first two digits.

India Post assigns the first two digits of a PIN to a postal circle; a circle
covers one state or a few neighbours. This table is that public assignment,
with the neighbours a circle also serves, so it refuses a pincode typed
against the wrong state without refusing a real one.
"""

from manual_orders.sop.formats import normalise_pincode

_CIRCLES: dict[tuple[int, int], tuple[str, ...]] = {
	(11, 11): ("Delhi",),
	(12, 13): ("Haryana",),
	(14, 16): ("Punjab", "Chandigarh", "Haryana", "Himachal Pradesh"),
	(17, 17): ("Himachal Pradesh",),
	(18, 19): ("Jammu and Kashmir", "Ladakh"),
	(20, 28): ("Uttar Pradesh", "Uttarakhand"),
	(30, 34): ("Rajasthan",),
	(36, 39): ("Gujarat", "Dadra and Nagar Haveli and Daman and Diu"),
	(40, 44): ("Maharashtra", "Goa"),
	(45, 48): ("Madhya Pradesh",),
	(49, 49): ("Chhattisgarh",),
	(50, 50): ("Telangana",),
	(51, 53): ("Andhra Pradesh", "Telangana"),
	(56, 59): ("Karnataka",),
	(60, 64): ("Tamil Nadu", "Puducherry"),
	(67, 69): ("Kerala", "Lakshadweep", "Puducherry"),
	(70, 74): ("West Bengal", "Sikkim", "Andaman and Nicobar Islands"),
	(75, 77): ("Odisha",),
	(78, 79): (
		"Assam",
		"Arunachal Pradesh",
		"Manipur",
		"Meghalaya",
		"Mizoram",
		"Nagaland",
		"Tripura",
	),
	(80, 85): ("Bihar", "Jharkhand"),
}


def states_for_pincode(pincode) -> tuple[str, ...]:
	"""The states a six-digit pincode may lie in; empty for an unassigned prefix."""
	code = normalise_pincode(pincode)
	if len(code) < 2 or not code[:2].isdigit():
		return ()
	prefix = int(code[:2])
	for (low, high), states in _CIRCLES.items():
		if low <= prefix <= high:
			return states
	return ()


def same_place(a, b) -> bool:
	"""City or state names compared the way an agent means them: case and spacing ignored."""
	return " ".join(str(a or "").split()).casefold() == " ".join(str(b or "").split()).casefold()


def pincode_matches_state(pincode, state) -> bool:
	return any(same_place(state, known) for known in states_for_pincode(pincode))
