from django.core.exceptions import ValidationError


def form_errors_from(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the field when the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
