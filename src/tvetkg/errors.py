"""The error types the command line turns into a clear message and exit code 2, and the server into a status."""


class TvetKgError(Exception):
    """Bad input or an unreachable resource, with a message a person can act on."""


class QueryFailed(TvetKgError):
    """A query refused or not answered; `status` is the HTTP status that says why."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
