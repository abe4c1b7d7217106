"""Bundled resources: the CJK font with its licences and the icons.

This folder is installed as the package ``branchdesk._resources`` (see pyproject.toml), so an
editable install, a wheel and the frozen bundle all find it through ``importlib.resources``.
"""
