import re
from pathlib import Path

from setuptools import find_packages, setup

init = Path(__file__).parent / "manual_orders" / "__init__.py"
__version__ = re.search(r'__version__ = "(.+)"', init.read_text()).group(1)

setup(
	name="manual_orders",
	version=__version__,
	description="Lead-to-Order for assisted device buy-back pickups, enforcing the manual order SOP",
	author="Manual Orders maintainers",
	license="MIT",
	packages=find_packages(),
	include_package_data=True,
	zip_safe=False,
	python_requires=">=3.10,<3.13",
	install_requires=["requests"],
	extras_require={"test": ["pytest", "hypothesis"]},
)
