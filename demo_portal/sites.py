"""Old name of :mod:`guifan.demo_portal.world` (the description of the simulated world)."""
from .world import *  # noqa: F401,F403
from .world import SITE_OBJECTS, Column, Site, date_of_day  # noqa: F401  (names tests and benchmarks import)
