"""The command-line use cases beside the console: each parses nothing (lvstui.cli does) and
goes through the session or the adapters; the package sits on top with the UI."""
