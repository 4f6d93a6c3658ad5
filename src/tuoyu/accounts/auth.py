"""Bearer-token authentication for the API (API-CONTRACT §0)."""

from ninja.security import HttpBearer

from tuoyu.accounts.services import api_token_authenticate


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = api_token_authenticate(token)
        if user is None:
            return None
        request.user = user
        return user
