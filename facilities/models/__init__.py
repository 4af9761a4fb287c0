"""The facilities app's tables, one module per concern; import them from here.

- places: facilities (palaces, sanatoriums), venues, photos, asset records
- rooms: a sanatorium's room types, their nights (inventory) and its stay policy (issue #10)
"""

# Each module lists its public names in __all__.
from .places import *  # noqa: F403
from .places import validate_not_future_year  # noqa: F401 - migrations name it as facilities.models.…
from .rooms import *  # noqa: F403
