"""The mutual-aid app's tables, one module per concern; import them from here.

- schemes: a scheme (kind, term, price per share, eligibility, benefit schedule, loss-ratio alert)
- enrolments: one insured person's cover under a scheme (self or a dependant), its certificate code
- claims: claims for benefit, their documents and their review timeline
- roster: work-unit roster imports (extended by the roster import module)
"""

# Each module lists its public names in __all__.
from .claims import *  # noqa: F403
from .enrolments import *  # noqa: F403
from .roster import *  # noqa: F403
from .schemes import *  # noqa: F403
