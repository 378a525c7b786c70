"""The one exception the engine raises for unusable input."""


class SpecError(Exception):
    """Input that cannot be diffed: unreadable, hostile, not OpenAPI 3.x, bad options.

    The message is one line, meant to be shown as is (the CLI prints it and exits 2).
    """

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))
