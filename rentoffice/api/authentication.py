from rest_framework.authentication import SessionAuthentication


class ApiSessionAuthentication(SessionAuthentication):
    """The back-office session, for the API (CSRF-checked like DRF's own).

    DRF answers 403 instead of 401 when no authenticator names a `WWW-Authenticate` challenge; an API
    client must be able to tell "log in" (401) from "not allowed" (403). API tokens will come before
    this class in `DEFAULT_AUTHENTICATION_CLASSES` and give the challenge then.
    """

    def authenticate_header(self, request) -> str:
        return 'Session realm="rentoffice"'
