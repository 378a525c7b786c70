from config.api.problems import Conflict, Problem


class ServiceError(Conflict):
    """A rule of the domain refused the change (409 in the API, a form error on pages)."""


class NotAllowed(Problem):
    def __init__(self, detail: str):
        super().__init__("permission-denied", detail)


def require(principal, permission: str, message: str | None = None):
    if not principal.can(permission):
        raise NotAllowed(message or f"Your role does not allow this ({permission}).")
