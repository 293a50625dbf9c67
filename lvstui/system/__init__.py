"""The director's and real servers' own network settings: addresses, routes, sysctls."""


class SettingError(Exception):
    """A network setting that could not be read or changed; the message is for the operator."""
