"""After the Order ID (SOP §6-§7): the pickup's places, its partner's ToDos, its status and SLA.

The decisions are in `sop/pickups.py`; this package reads what admins keep (Pickup Slot
capacities, Pickup Partners, failure reasons) and writes the order's pickup fields:

- `places.py`: a place in the slot and with a partner, booked under row locks; assignment
  on creation and a manager's reassignment;
- `todos.py`: the partner's users' ToDos;
- `status.py`: Out for Pickup, Picked Up, Pickup Failed, the IMEI and its evidence;
- `sla.py`: the SLA job.
"""
