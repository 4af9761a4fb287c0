"""Statistics exports: kinds (what each writes), filters (what each takes), services (queue, run, expire)."""
