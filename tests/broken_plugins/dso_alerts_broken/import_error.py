"""Fails to import: it needs a module that is not installed."""

import dso_alerts_no_such_dependency  # noqa: F401
