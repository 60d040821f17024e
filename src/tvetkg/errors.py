"""The one error type the command line turns into a clear message and exit code 2."""


class TvetKgError(Exception):
    """Bad input or an unreachable resource, with a message a person can act on."""
