"""The built-in criteria of SPEC §2, each module a plugin found through the `dso_alerts` entry points."""
