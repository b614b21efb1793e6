from manual_orders.setup.workflow import add_server_states


def execute():
	add_server_states()
