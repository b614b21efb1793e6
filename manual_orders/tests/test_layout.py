"""The layout of docs/ARCHITECTURE.md, held against the code: layers, names, cycles.

Reads the app's imports with `ast` (module-level and inside functions alike); runs nothing.
"""

import ast
import unittest
from pathlib import Path

APP = Path(__file__).resolve().parents[1]

# Lower numbers are lower layers; a module imports only from its own layer or below.
LAYERS = {
	"manual_orders.sop": 0,
	"manual_orders.exceptions": 1,
	"manual_orders.settings": 1,
	"manual_orders.shortcuts": 2,
	"manual_orders.controllers": 3,
	"manual_orders.permissions": 3,
	"manual_orders.catalogue_cache": 3,
	"manual_orders.setup.workflow": 3,
	"manual_orders.setup.notifications": 3,
	"manual_orders.consent_evidence": 4,
	"manual_orders.pickup": 4,
	"manual_orders.settlement": 4,
	"manual_orders.messaging": 4,
	"manual_orders.leavers": 4,
	"manual_orders.accountability": 4,
	"manual_orders.reports": 4,
	"manual_orders.manual_orders": 5,
	"manual_orders.overrides": 5,
	"manual_orders.api": 6,
	"manual_orders.www": 6,
	"manual_orders.hooks": 6,
	"manual_orders.setup": 6,
	"manual_orders.patches": 7,
}
MAX_TOP_LEVEL_MODULES = 7  # besides hooks.py and api.py


def module_name(path: Path) -> str:
	parts = path.relative_to(APP.parent).with_suffix("").parts
	return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def app_modules() -> dict[str, Path]:
	return {
		module_name(path): path for path in APP.rglob("*.py") if "tests" not in path.relative_to(APP).parts
	}


def imports_of(path: Path, name: str) -> set[str]:
	found = set()
	package = name if path.name == "__init__.py" else name.rpartition(".")[0]
	for node in ast.walk(ast.parse(path.read_text())):
		if isinstance(node, ast.Import):
			found |= {alias.name for alias in node.names}
		elif isinstance(node, ast.ImportFrom):
			base = node.module or ""
			if node.level:
				base = ".".join(
					[*package.split(".")[: len(package.split(".")) - node.level + 1], base]
				).strip(".")
			found.add(base)
			found |= {f"{base}.{alias.name}" for alias in node.names}
	return {imported for imported in found if imported.startswith("manual_orders")}


def layer(name: str) -> int | None:
	matches = [prefix for prefix in LAYERS if name == prefix or name.startswith(prefix + ".")]
	return LAYERS[max(matches, key=len)] if matches else None


class TestLayout(unittest.TestCase):
	@classmethod
	def setUpClass(cls):
		cls.modules = app_modules()
		cls.graph = {
			name: {imported for imported in imports_of(path, name) if imported in cls.modules}
			for name, path in cls.modules.items()
		}

	def test_few_modules_sit_at_the_top(self):
		top = sorted(path.stem for path in APP.glob("*.py") if path.stem not in ("__init__", "hooks", "api"))
		assert len(top) <= MAX_TOP_LEVEL_MODULES, top

	def test_no_module_outside_sop_shares_a_name_with_one_inside(self):
		sop = {path.stem for path in (APP / "sop").glob("*.py")} - {"__init__"}
		clashes = sorted(
			name
			for name in self.modules
			if not name.startswith("manual_orders.sop") and name.rpartition(".")[2] in sop
		)
		assert not clashes, clashes

	def test_every_module_has_a_layer_and_imports_none_above_it(self):
		unplaced = sorted(name for name in self.modules if name != "manual_orders" and layer(name) is None)
		assert not unplaced, unplaced
		upward = sorted(
			f"{name} -> {imported}"
			for name, imports in self.graph.items()
			if name != "manual_orders"
			for imported in imports
			if imported != "manual_orders" and layer(imported) > layer(name)
		)
		assert not upward, upward

	def test_there_are_no_import_cycles(self):
		cycles = []
		state = {}

		def visit(name, trail):
			state[name] = "open"
			for imported in sorted(self.graph.get(name, ())):
				if state.get(imported) == "open":
					cycles.append(" -> ".join([*trail[trail.index(imported) :], imported]))
				elif imported not in state:
					visit(imported, [*trail, imported])
			state[name] = "done"

		for name in sorted(self.graph):
			if name not in state:
				visit(name, [name])
		# a package's __init__ importing its own modules is not a cycle between rooms
		cycles = [cycle for cycle in cycles if not self.package_and_its_module(cycle)]
		assert not cycles, cycles

	@staticmethod
	def package_and_its_module(cycle: str) -> bool:
		names = cycle.split(" -> ")
		return len(set(names)) == 2 and any(b.startswith(a + ".") for a in names for b in names)


class TestScheduledJobs(unittest.TestCase):
	def test_every_scheduled_job_of_the_app_is_a_hook_of_today(self):
		"""A job type left from an older layout (a moved module) would fail every run: migrate
		removes it, and none of the app's remains that the hooks do not name."""
		import frappe

		from manual_orders import hooks

		named = {
			method
			for events in hooks.scheduler_events.values()
			for methods in (events.values() if isinstance(events, dict) else [events])
			for method in methods
		}
		stored = set(
			frappe.get_all(
				"Scheduled Job Type", filters={"method": ("like", "manual_orders.%")}, pluck="method"
			)
		)
		assert stored == named, (stored - named, named - stored)
