"""The bookings app's tables, one module per concern; import them from here.

- palace: activities, sessions, bookings, walk-ins, suspensions, calendar feeds
- stays: sanatorium stays night by night (issue #10)
- programmes: recuperation programmes, batches, quota allocations and applications (issue #10)
"""

# Each module lists its public names in __all__.
from .palace import *  # noqa: F403
from .programmes import *  # noqa: F403
from .stays import *  # noqa: F403
