"""How the web role sets its cookies: HttpOnly, SameSite=Lax, and Secure behind HTTPS."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

THIRTY_DAYS = 30 * 24 * 3600


@dataclass(frozen=True)
class CookiePolicy:
    secure: bool

    def set(
        self, response: web.StreamResponse, name: str, value: str, *, max_age: int | None = None
    ) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path="/",
            httponly=True,
            samesite="Lax",
            secure=self.secure,
        )

    def delete(self, response: web.StreamResponse, name: str) -> None:
        response.del_cookie(name, path="/", httponly=True, samesite="Lax", secure=self.secure)
