from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from .services import current_page, record_refusal


class NoStoreMiddleware:
    """Pages for signed-in users hold children's data: never let a browser or proxy cache them.

    It is also where the audit learns the page: the route's name is kept for the request so view
    entries say where a record was seen, and a refused answer (403, or the 404 a scoped lookup
    gives) to a signed-in user for a page whose URL names a record is noted as a refused attempt
    (audit.models.RefusedAttempt). The view has finished and any transaction of its own has
    ended by then, so the note survives a refusal that rolled back everything else.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_page.set("")
        try:
            response = self.get_response(request)
        finally:
            current_page.reset(token)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
            match = getattr(request, "resolver_match", None)
            if match is not None and match.view_name:
                record_refusal(
                    user=request.user,
                    route=match.view_name,
                    url_kwargs=match.kwargs,
                    status_code=response.status_code,
                )
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> None:
        match = request.resolver_match
        current_page.set(match.view_name if match is not None else "")
        return None
