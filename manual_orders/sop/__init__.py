"""The SOP "Creating Orders Manually for Customers" as plain Python.

Nothing in this package imports Frappe: every rule takes values and returns
violations, so it is tested with plain pytest and reused by the DocType
controllers, the REST API and the desk.
"""
