"""Settings of bench/hot_paths.py's server: production's, with the bare view (/bench/bare/) routed.

production.py refuses BENCH_BARE_VIEW from the environment, so no deployment can switch the view on; this
module, which only the benchmark names (DJANGO_SETTINGS_MODULE=bench._hot_paths_settings), sets it after
production's checks ran. Everything else (security middleware, Redis cache, PostgreSQL) is production's.
"""

from portal.settings.production import *  # noqa: F403

BENCH_BARE_VIEW = True
