"""Sanatorium stays: a member (and dependants) takes rooms of a room type for a range of nights."""

__all__: list[str] = []
