"""Errors that reach a user as one clear message instead of a stack trace."""


class YuqingError(Exception):
    """A failure the user can act on; the CLI prints the message and exits non-zero."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint

    def __str__(self) -> str:
        text = super().__str__()
        return f"{text}\n提示: {self.hint}" if self.hint else text


class ConfigError(YuqingError):
    """Configuration that is wrong; the message names file:line."""

    exit_code = 2


class StoreError(YuqingError):
    """Elasticsearch is unreachable, refuses our credentials, or rejects a request."""

    exit_code = 3
