from manual_orders.setup.workflow import add_quote_expired_state


def execute():
	add_quote_expired_state()
