"""Recuperation programmes: batches, quota allocations down the union tree, applications and approvals."""

__all__: list[str] = []
