"""The API's endpoints. Thin, as the pages are: the web forms check (bridge.py), the same
services write, the same selectors read, scoped by the token's user. Every call is audited:
one ACCESS entry on the token (route, method, answer; never the body or query string), and a
view entry on each child's record an answer shows, as the pages write."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cmetrack.accounts.access import is_la_staff, is_partner
from cmetrack.accounts.models import User
from cmetrack.audit.context import acting_as
from cmetrack.audit.services import record_view
from cmetrack.cases.filters import CaseFilter
from cmetrack.cases.selectors import case_get, case_list
from cmetrack.cases.task_selectors import open_tasks_visible_to
from cmetrack.referrals.selectors import my_submissions, submission_get
from cmetrack.referrals.sending import (
    CME_REFERRAL,
    DELETION_RETURN,
    NEW_PUPIL_RETURN,
    OTHER_LA_NOTIFICATION,
    SendKind,
)
from cmetrack.referrals.services import IntakeError

from .bridge import BadValue, form_data, form_problems, request_serializer, use_natural_keys
from .errors import error_response
from .models import ApiToken, Scope
from .permissions import HasScope
from .representations import (
    CaseSerializer,
    PagedCases,
    PagedSubmissions,
    PagedTasks,
    SubmissionStatusSerializer,
    case_summary,
    submission_status,
    task_summary,
)

ERRORS = {
    "type": "object",
    "properties": {
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string", "nullable": True},
                    "message": {"type": "string"},
                },
            },
        }
    },
}


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ApiView(APIView):
    """Runs each call as the token's user (for the audit log's actor) and records the call."""

    required_scope: str = Scope.READ
    permission_classes = [HasScope]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self._acting: AbstractContextManager[None] | None = acting_as(self.user)
        self._acting.__enter__()

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        acting = getattr(self, "_acting", None)
        if acting is not None:
            acting.__exit__(None, None, None)
            self._acting = None
        token = getattr(request, "auth", None)
        if isinstance(token, ApiToken):
            _record_call(request, token, response.status_code)
        return super().finalize_response(request, response, *args, **kwargs)

    @property
    def user(self) -> User:
        assert isinstance(self.request.user, User)
        return self.request.user


def _record_call(request: Request, token: ApiToken, code: int) -> None:
    match = request._request.resolver_match
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(ApiToken),
        object_pk=str(token.pk),
        object_id=token.pk,
        object_repr=str(token),
        action=LogEntry.Action.ACCESS,
        actor=token.user,
        actor_email=token.user.email,
        additional_data={
            "api": match.view_name if match else "",
            "method": request.method,
            "status": code,
        },
    )


class SendView(ApiView):
    required_scope = Scope.SUBMIT
    kind: SendKind

    def post(self, request: Request) -> Response:
        if not self.kind.allowed(request.user):
            raise PermissionDenied("This token's account cannot send this.")
        try:
            data = form_data(self.kind.form, request.data)
        except BadValue as bad:
            return error_response([bad.problem], status.HTTP_400_BAD_REQUEST)
        form = self.kind.form(data, user=self.user)  # type: ignore[call-arg]
        use_natural_keys(form)
        if not form.is_valid():
            return error_response(form_problems(form), status.HTTP_400_BAD_REQUEST)
        try:
            with transaction.atomic():
                submission = self.kind.submit(form, self.user)
        except IntakeError as error:
            field = getattr(error, "field", None) or None
            return error_response(
                [{"field": field, "message": str(error)}], status.HTTP_400_BAD_REQUEST
            )
        return Response(submission_status(submission), status=status.HTTP_201_CREATED)


def _send_view(kind: SendKind, name: str, summary: str) -> type[SendView]:
    body = request_serializer(kind.form, with_school=kind.names_school)

    # A function of its own per view: extend_schema marks the function it decorates.
    def post(self: SendView, request: Request) -> Response:
        return SendView.post(self, request)

    documented = extend_schema(
        operation_id=f"{name.removesuffix('View')}_send",
        summary=summary,
        request=body,
        responses={201: SubmissionStatusSerializer, 400: ERRORS, 401: ERRORS, 403: ERRORS},
        tags=["send"],
    )(post)
    return type(name, (SendView,), {"kind": kind, "post": documented})


DeletionReturnView = _send_view(
    DELETION_RETURN, "DeletionReturnView", "Send a deletion return (a pupil leaving the roll)"
)
NewPupilReturnView = _send_view(
    NEW_PUPIL_RETURN, "NewPupilReturnView", "Send a new-pupil return (a pupil joining the roll)"
)
ReferralView = _send_view(CME_REFERRAL, "ReferralView", "Refer a child missing education")
OtherLaNotificationView = _send_view(
    OTHER_LA_NOTIFICATION, "OtherLaNotificationView", "Notify the authority about a child"
)


class SubmissionListView(ApiView):
    @extend_schema(
        operation_id="submissions_list",
        summary="What your organisation sent, newest first, with the status the authority shares",
        responses={200: PagedSubmissions, 401: ERRORS, 403: ERRORS, 404: ERRORS},
        tags=["read"],
    )
    def get(self, request: Request) -> Response:
        if not is_partner(request.user):
            raise PermissionDenied("The CME team reads cases and tasks, not a sender's list.")
        pages = Pages()
        page = pages.paginate_queryset(my_submissions(user=request.user), request, view=self)
        return pages.get_paginated_response([submission_status(s) for s in page or []])


class SubmissionDetailView(ApiView):
    @extend_schema(
        operation_id="submission_get",
        summary="The status of one thing your organisation sent",
        responses={200: SubmissionStatusSerializer, 401: ERRORS, 404: ERRORS},
        tags=["read"],
    )
    def get(self, request: Request, public_id: str) -> Response:
        if not is_partner(request.user):
            raise NotFound()
        return Response(submission_status(submission_get(user=request.user, public_id=public_id)))


def _team_only(request: Request) -> None:
    if not is_la_staff(request.user):
        raise PermissionDenied("Cases and tasks are for the local authority's CME team.")


CASE_FILTERS = [
    OpenApiParameter("status", str, description="A case status code"),
    OpenApiParameter("open_only", bool),
    OpenApiParameter("escalated", bool),
    OpenApiParameter("primary_reason", str, description="A reason's id, as the case list uses"),
    OpenApiParameter("page", int),
    OpenApiParameter("page_size", int),
]


class CaseListView(ApiView):
    @extend_schema(
        operation_id="cases_list",
        summary="Cases, filtered as the case list filters (no name search: names stay out of "
        "URLs and logs)",
        parameters=CASE_FILTERS,
        responses={200: PagedCases, 400: ERRORS, 401: ERRORS, 403: ERRORS, 404: ERRORS},
        tags=["read"],
    )
    def get(self, request: Request) -> Response:
        _team_only(request)
        query = request.query_params.copy()
        for ignored in ("q", "page", "page_size"):
            query.pop(ignored, None)
        found = CaseFilter(query or None, queryset=case_list(user=request.user))
        if found.is_bound and not found.is_valid():
            return error_response(
                [
                    {"field": name, "message": str(message)}
                    for name, messages in found.errors.items()
                    for message in messages
                ],
                status.HTTP_400_BAD_REQUEST,
            )
        pages = Pages()
        page = pages.paginate_queryset(found.qs.order_by("-referral_date", "pk"), request, self)
        for case in page or []:
            record_view(case.child)
        return pages.get_paginated_response([case_summary(c) for c in page or []])


class CaseDetailView(ApiView):
    @extend_schema(
        operation_id="case_get",
        summary="One case",
        responses={200: CaseSerializer, 401: ERRORS, 403: ERRORS, 404: ERRORS},
        tags=["read"],
    )
    def get(self, request: Request, public_id: str) -> Response:
        _team_only(request)
        case = case_get(user=request.user, public_id=public_id)
        record_view(case)
        record_view(case.child)
        return Response(case_summary(case))


class TaskListView(ApiView):
    @extend_schema(
        operation_id="tasks_list",
        summary="Open tasks, soonest due first",
        parameters=[OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
        responses={200: PagedTasks, 401: ERRORS, 403: ERRORS, 404: ERRORS},
        tags=["read"],
    )
    def get(self, request: Request) -> Response:
        _team_only(request)
        pages = Pages()
        tasks = open_tasks_visible_to(request.user).order_by("due_on", "pk")
        page = pages.paginate_queryset(tasks, request, view=self)
        return pages.get_paginated_response([task_summary(t) for t in page or []])


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    return JsonResponse(
        {"errors": [{"field": None, "message": "There is no such address in the API."}]},
        status=404,
    )
