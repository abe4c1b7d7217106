"""Editors of one record: meetings, activities, members, and their parts."""
