"""JSON pointers (RFC 6901): building them fast. Shared by the loader and the Swagger 2.0 reader."""


def escape_token(token: object) -> str:
    token = token if isinstance(token, str) else str(token)
    if "~" in token or "/" in token:  # rare: skip two str.replace calls on the hot path
        return token.replace("~", "~0").replace("/", "~1")
    return token


def join_pointer(pointer: str, *tokens: object) -> str:
    # hot (~50k calls on a big diff): the common one-plain-string-token case is inlined
    if len(tokens) == 1:
        token = tokens[0]
        if type(token) is str and "~" not in token and "/" not in token:
            return f"{pointer}/{token}"
        return f"{pointer}/{escape_token(token)}"
    return pointer + "".join("/" + escape_token(t) for t in tokens)
