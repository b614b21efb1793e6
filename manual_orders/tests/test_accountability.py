"""SOP §7/§9 for managers: wrong orders, reports with known answers, restriction, permissions."""

import frappe

from manual_orders.accountability import flush_refusals
from manual_orders.exceptions import AgentRestricted
from manual_orders.tests.utils import (
	AGENT,
	MANAGER,
	OTHER_AGENT,
	PLAIN_USER,
	Api,
	SiteTestCase,
	as_user,
	make_lead,
	make_order,
	new_agent,
	order_values,
	with_consent,
)


def created_by(agent: str, **overrides):
	with as_user(agent):
		order = frappe.get_doc(with_consent(order_values(**overrides))).insert()
		order.submit()
	return order


def mark_wrong(order, category="Wrong pincode", consequence="Pickup failure"):
	with as_user(MANAGER):
		error = frappe.get_doc(
			{
				"doctype": "Manual Order Error",
				"manual_order": order.name,
				"error_category": category,
				"consequence": consequence,
				"note": "Customer was at another address",
			}
		).insert()
		error.submit()
	return error


def set_threshold(count: int, days: int = 30):
	settings = frappe.get_single("Manual Order Settings")
	settings.restriction_threshold = count
	settings.restriction_window_days = days
	settings.save()


def run_report(name: str, user: str, **filters):
	from frappe.desk.query_report import run

	with as_user(user):
		result = run(name, filters=filters)
	return result


class TestAccountability(SiteTestCase):
	# Wrong orders

	def test_a_manager_marks_a_created_order_wrong_and_it_is_kept(self):
		order = created_by(AGENT)
		error = mark_wrong(order, "Wrong device model or variant", "Price dispute")
		assert (error.agent, error.reported_by, error.docstatus) == (AGENT, MANAGER, 1)
		with as_user(AGENT), self.assertRaises(frappe.PermissionError):
			frappe.get_doc({"doctype": "Manual Order Error", "manual_order": order.name}).insert()

	def test_only_created_orders_can_be_marked_wrong(self):
		draft = make_order()
		with as_user(MANAGER), self.assertRaises(frappe.ValidationError):
			frappe.get_doc(
				{
					"doctype": "Manual Order Error",
					"manual_order": draft.name,
					"error_category": "Wrong pincode",
					"consequence": "None yet",
					"note": "x",
				}
			).insert()

	# Restriction cycle

	def test_restriction_cycle_flag_blocked_cleared_allowed(self):
		agent = new_agent()
		set_threshold(2)
		first, second = created_by(agent), created_by(agent)
		mark_wrong(first)
		assert not frappe.db.exists(
			"Manual Order Agent Restriction", {"agent": agent, "status": "Restricted"}
		)
		mark_wrong(second)
		restriction = frappe.get_doc(
			"Manual Order Agent Restriction", {"agent": agent, "status": "Restricted"}
		)
		assert restriction.flagged_by == MANAGER and "2 wrong orders within 30 days" in restriction.reason
		with as_user(agent), self.assertRaises(AgentRestricted) as raised:
			make_order()
		assert "retraining" in str(raised.exception) and restriction.name in str(raised.exception)
		with as_user(agent), self.assertRaises(frappe.PermissionError):
			restriction.clear("I retrained myself")
		with as_user(MANAGER):
			restriction.clear("Retraining on condition grading done")
		restriction.reload()
		assert (restriction.status, restriction.cleared_by) == ("Cleared", MANAGER)
		assert restriction.clear_reason == "Retraining on condition grading done"
		with as_user(agent):
			assert make_order().name
		# older errors do not count again after clearing
		mark_wrong(created_by(agent))
		assert not frappe.db.exists(
			"Manual Order Agent Restriction", {"agent": agent, "status": "Restricted"}
		)

	def test_restriction_off_when_threshold_is_zero(self):
		agent = new_agent()
		set_threshold(0)
		for _ in range(3):
			mark_wrong(created_by(agent))
		assert not frappe.db.exists("Manual Order Agent Restriction", {"agent": agent})

	# Reports with known answers

	def test_agent_accuracy_report(self):
		set_threshold(0)
		agent = new_agent()
		orders = [created_by(agent) for _ in range(4)]
		mark_wrong(orders[0], "Wrong pincode")
		mark_wrong(orders[1], "Incorrect condition selection")
		mark_wrong(orders[2], "Wrong pincode")
		with as_user(agent):
			orders[3].record_price_dispute("I didn't agree to this price")
			orders[3].reload()
			orders[3].cancellation_reason = "Price dispute"
			orders[3].save()
			orders[3].cancel()
		make_order()  # a draft of another agent: not counted
		result = run_report("Manual Order Agent Accuracy", MANAGER, agent=agent)
		(row,) = result["result"]
		assert row["orders_created"] == 4
		assert row["wrong_orders"] == 3
		assert row["wrong_pincode"] == 2 and row["incorrect_condition_selection"] == 1
		assert row["disputes"] == 1 and row["cancellations"] == 1
		assert row["cancellation_reasons"] == "Price dispute: 1"
		assert row["error_rate"] == 75.0
		assert result["chart"]["data"]["datasets"][0]["values"] == [75.0]

	def test_funnel_report(self):
		set_threshold(0)
		agent = new_agent()
		lead = make_lead()
		with as_user(agent):
			make_order(lead=lead.name)  # draft, no consent
			frappe.get_doc(with_consent(order_values())).insert()  # consented, not created
			unsure = make_order()
			unsure.outcome = "Customer Unsure"
			unsure.save()
		created_by(agent)
		picked = created_by(agent)
		picked.db_set("picked_up", 1)
		cancelled = created_by(agent)
		with as_user(agent):
			cancelled.cancellation_reason = "Customer changed mind"
			cancelled.save()
			cancelled.cancel()
		result = run_report("Manual Order Funnel", MANAGER, agent=agent)
		counts = {row["stage"]: row["count"] for row in result["result"]}
		assert counts == {
			"Leads touched": 1,
			"Order attempts": 6,
			"Consent recorded": 4,
			"Created": 3,
			"Picked up": 1,
			"Cancelled": 1,
			"Customer unsure": 1,
		}

	def test_refusals_report_counts_each_rule_per_agent_and_keeps_no_customer_data(self):
		agent = new_agent()
		with as_user(agent):
			for overrides in ({"pincode": "560100"}, {"pincode": "560100", "landmark": ""}, {"upi_id": "x"}):
				with self.assertRaises(frappe.ValidationError):
					make_order(**overrides)
		result = run_report("Manual Order Refusals by Rule", MANAGER, agent=agent)
		counts = {row["rule"]: row["refusals"] for row in result["result"]}
		assert counts == {"SOP-4A-PINCODE-SERVICEABLE": 2, "SOP-4D-LANDMARK": 1, "SOP-4E-UPI": 1}
		flush_refusals()
		stored = frappe.get_all("Manual Order Refusal Count", filters={"agent": agent}, fields=["*"])
		assert {row.rule: row.refusals for row in stored} == counts
		assert not any("560100" in str(value) for row in stored for value in row.values())
		result = run_report("Manual Order Refusals by Rule", MANAGER, agent=agent)
		assert {row["rule"]: row["refusals"] for row in result["result"]} == counts

	def test_agents_see_only_their_own_numbers_in_reports(self):
		set_threshold(0)
		mine, theirs = new_agent(), new_agent()
		created_by(mine)
		created_by(theirs)
		result = run_report("Manual Order Agent Accuracy", mine, agent=theirs)
		assert [row["agent"] for row in result["result"]] == [mine]

	# Permissions

	def test_agents_see_and_edit_only_their_own_orders(self):
		with as_user(AGENT):
			mine = make_order()
		with as_user(OTHER_AGENT):
			theirs = make_order()
			names = frappe.get_list("Manual Order", pluck="name", limit=0)
			assert theirs.name in names and mine.name not in names
			assert not frappe.has_permission("Manual Order", "read", doc=mine)
			with self.assertRaises(frappe.PermissionError):
				frappe.get_doc("Manual Order", mine.name).check_permission("read")
		with as_user(MANAGER):
			names = frappe.get_list("Manual Order", pluck="name", limit=0)
			assert {mine.name, theirs.name} <= set(names)
		with as_user(PLAIN_USER):
			assert not frappe.has_permission("Manual Order", "read")

	def test_rest_agent_cannot_read_another_agents_order(self):
		with as_user(AGENT):
			mine = make_order()
		frappe.db.commit()  # nosemgrep: the HTTP thread must see it
		try:
			status, _ = Api(OTHER_AGENT).get(f"/api/resource/Manual Order/{mine.name}")
			assert status == 403
			status, body = Api(AGENT).get(f"/api/resource/Manual Order/{mine.name}")
			assert status == 200 and body["data"]["agent"] == AGENT
		finally:
			frappe.delete_doc("Manual Order", mine.name, force=True, ignore_permissions=True)
			frappe.db.commit()  # nosemgrep

	def test_workspace_number_cards_and_charts_evaluate(self):
		from frappe.desk.doctype.dashboard_chart.dashboard_chart import get as get_chart
		from frappe.desk.doctype.number_card.number_card import get_result

		created_by(AGENT)
		workspace = frappe.get_doc("Workspace", "Manual Orders")
		assert len(workspace.number_cards) == 11 and len(workspace.charts) == 3
		with as_user(MANAGER):
			for card in workspace.number_cards:
				doc = frappe.get_doc("Number Card", card.number_card_name)
				assert get_result(doc.as_dict(), None) >= 0
			daily = get_chart(
				chart_name="Manual Orders Created Daily",
				refresh=1,
				timespan="Last Month",
				time_interval="Daily",
			)
			assert sum(daily["datasets"][0]["values"]) >= 1
		for name in ("Manual Order Funnel", "Manual Order Error Rate by Agent"):
			chart = frappe.get_doc("Dashboard Chart", name)
			assert (
				chart.use_report_chart
				and run_report(chart.report_name, MANAGER)["chart"]["data"]["labels"] is not None
			)

	def test_a_flush_that_died_half_way_is_finished_by_the_next_one(self):
		import redis

		from manual_orders import accountability

		agent = new_agent()
		leftover = accountability._key() + b":flushing"
		redis.Redis.hincrby(frappe.cache, leftover, f"{frappe.utils.nowdate()}|{agent}|SOP-4E-UPI", 2)
		with as_user(agent), self.assertRaises(frappe.ValidationError):
			make_order(upi_id="x")
		flush_refusals()  # finishes the leftover
		flush_refusals()  # then takes the new count
		stored = frappe.get_all(
			"Manual Order Refusal Count", filters={"agent": agent}, fields=["rule", "refusals"]
		)
		assert [(row.rule, row.refusals) for row in stored] == [("SOP-4E-UPI", 3)]
