"""DRF views of the bookings app: member-facing (public.py) and staff (staff.py)."""
