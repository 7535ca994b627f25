"""The built-in criteria of SPEC §2.

Each module is a plugin found through the `dso_alerts` entry points, like any other.
"""
