"""Deliberately broken dso-alerts plugins, one way of breaking per module, and one healthy
plugin beside them. The folder above is a site directory as pip leaves it (this package and
its dist-info, entry points included): a test puts it on sys.path to "install" them all."""
