def get_dashboard_data(data: dict) -> dict:
	"""Adds the Lead's Manual Orders to its Connections."""
	data.setdefault("transactions", []).append({"label": "Manual Orders", "items": ["Manual Order"]})
	return data
