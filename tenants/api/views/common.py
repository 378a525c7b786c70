def validated(serializer_class, data, **context) -> dict:
    """Validate request data with an input serializer; a failure becomes a validation-error problem."""
    serializer = serializer_class(data=data, context=context)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
