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
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cmetrack.accounts.access import can_submit_school_returns, is_la_staff, is_partner
from cmetrack.accounts.models import User
from cmetrack.audit.context import acting_as
from cmetrack.audit.services import record_view
from cmetrack.cases.filters import CaseFilter
from cmetrack.cases.selectors import case_get, case_list
from cmetrack.cases.task_selectors import open_tasks_visible_to
from cmetrack.referrals.importing.rows import UnreadableFile
from cmetrack.referrals.imports import (
    ImportRefused,
    ImportState,
    import_commit_request,
    import_upload,
)
from cmetrack.referrals.models import ImportBatch
from cmetrack.referrals.selectors import (
    import_batches_visible_to,
    my_submissions,
    submission_get,
)
from cmetrack.referrals.sending import (
    CME_REFERRAL,
    DELETION_RETURN,
    NEW_PUPIL_RETURN,
    OTHER_LA_NOTIFICATION,
    SendKind,
)
from cmetrack.referrals.services import IntakeError

from .bridge import BadValue, form_data, form_problems, request_serializer, use_natural_keys
from .errors import Problem, error_response
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
            # Each kind's service is one transaction itself (@transaction.atomic): wrapping it
            # again would only add a savepoint.
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


SEND_KINDS: dict[str, SendKind] = {
    "deletion-return": DELETION_RETURN,
    "new-pupil-return": NEW_PUPIL_RETURN,
    "referral": CME_REFERRAL,
    "other-la-notification": OTHER_LA_NOTIFICATION,
}
MOST_IN_A_BATCH = 500


class BatchItemSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(
        choices=list(SEND_KINDS),
        help_text="What the item is; its other fields are that endpoint's request body.",
    )


class BatchRequestSerializer(serializers.Serializer[Any]):
    items = BatchItemSerializer(many=True, help_text=f"At most {MOST_IN_A_BATCH} items.")


class BatchResponseSerializer(serializers.Serializer[Any]):
    submissions = SubmissionStatusSerializer(many=True)


class BatchView(ApiView):
    """Several returns, referrals or notifications at once, all or nothing: every item is
    checked by its own form first, and if any is refused nothing is recorded and every
    refusal is listed (`items[3].surname`); otherwise all are recorded in one transaction,
    through the same services as one at a time."""

    required_scope = Scope.SUBMIT

    @extend_schema(
        operation_id="batch_send",
        summary="Send several items at once, all or nothing",
        request=BatchRequestSerializer,
        responses={201: BatchResponseSerializer, 400: ERRORS, 401: ERRORS, 403: ERRORS},
        tags=["send"],
    )
    def post(self, request: Request) -> Response:
        items = request.data.get("items") if isinstance(request.data, dict) else None
        if not isinstance(items, list) or not items:
            return error_response(
                [{"field": "items", "message": "Send a list of one or more items."}],
                status.HTTP_400_BAD_REQUEST,
            )
        if len(items) > MOST_IN_A_BATCH:
            return error_response(
                [{"field": "items", "message": f"Send at most {MOST_IN_A_BATCH} items."}],
                status.HTTP_400_BAD_REQUEST,
            )
        checked, found = self._checked(items)
        if found:
            return error_response(found, status.HTTP_400_BAD_REQUEST)
        made = []
        try:
            with transaction.atomic():
                for index, (kind, form) in enumerate(checked):
                    try:
                        made.append(kind.submit(form, self.user))
                    except IntakeError as error:
                        field = getattr(error, "field", None)
                        where = f"items[{index}]" + (f".{field}" if field else "")
                        raise _BatchRefused(where, str(error)) from error
        except _BatchRefused as refused:
            return error_response(
                [{"field": refused.where, "message": refused.message}],
                status.HTTP_400_BAD_REQUEST,
            )
        return Response(
            {"submissions": [submission_status(s) for s in made]}, status=status.HTTP_201_CREATED
        )

    def _checked(self, items: list[Any]) -> tuple[list[tuple[SendKind, Any]], list[Problem]]:
        checked: list[tuple[SendKind, Any]] = []
        found: list[Problem] = []
        for index, item in enumerate(items):
            where = f"items[{index}]"
            fields = dict(item) if isinstance(item, dict) else None
            kind = SEND_KINDS.get(str(fields.pop("kind", ""))) if fields is not None else None
            if fields is None or kind is None:
                found.append({"field": f"{where}.kind", "message": "Say what the item is."})
                continue
            if not kind.allowed(self.request.user):
                found.append({"field": where, "message": "This token's account cannot send this."})
                continue
            try:
                data = form_data(kind.form, fields)
            except BadValue as bad:
                found.append({**bad.problem, "field": f"{where}.{bad.problem['field']}"})
                continue
            form = kind.form(data, user=self.user)  # type: ignore[call-arg]
            use_natural_keys(form)
            if not form.is_valid():
                found += [
                    {**p, "field": f"{where}.{p['field']}" if p["field"] else where}
                    for p in form_problems(form)
                ]
                continue
            checked.append((kind, form))
        return checked, found


class _BatchRefused(Exception):
    def __init__(self, where: str, message: str) -> None:
        super().__init__(message)
        self.where, self.message = where, message


def import_status(batch: ImportBatch) -> dict[str, Any]:
    summary = batch.summary or {}
    return {
        "id": str(batch.public_id),
        "state": batch.state,
        "committed": batch.committed,
        "rows": summary.get("rows", 0),
        "valid": summary.get("valid", 0),
        "unreadable": summary.get("unreadable", ""),
        "commit_refused": summary.get("commit_refused", ""),
        "imported": summary.get("committed", 0),
        "errors": [
            {"row": row, "field": field, "message": message}
            for row, field, message in summary.get("errors", [])
        ],
        "warnings": [
            {"row": row, "field": field, "message": message}
            for row, field, message in summary.get("warnings", [])
        ],
        "progress": {"done": batch.progress_done, "total": batch.progress_total},
    }


class RowProblemSerializer(serializers.Serializer[Any]):
    row = serializers.IntegerField()
    field = serializers.CharField(allow_blank=True)
    message = serializers.CharField()


class ProgressSerializer(serializers.Serializer[Any]):
    done = serializers.IntegerField()
    total = serializers.IntegerField()


class ImportStatusSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    state = serializers.CharField()
    committed = serializers.BooleanField()
    rows = serializers.IntegerField()
    valid = serializers.IntegerField()
    unreadable = serializers.CharField(allow_blank=True)
    commit_refused = serializers.CharField(allow_blank=True)
    imported = serializers.IntegerField()
    errors = RowProblemSerializer(many=True)
    warnings = RowProblemSerializer(many=True)
    progress = ProgressSerializer()


class ImportUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(help_text="A returns file: CSV, XLSX or Common Transfer File XML")


class ImportCommitSerializer(serializers.Serializer[Any]):
    valid_only = serializers.BooleanField(
        required=False, help_text="Import the valid rows and leave the refused ones out."
    )


def _importer(request: Request) -> User:
    if not can_submit_school_returns(request.user):
        raise PermissionDenied("This token's account cannot import returns.")
    assert isinstance(request.user, User)
    return request.user


def _import_batch(user: User, public_id: str) -> ImportBatch:
    found = import_batches_visible_to(user).defer("preview").filter(public_id=public_id).first()
    if found is None:
        raise NotFound()
    return found


class ImportUploadView(ApiView):
    """A returns file through the import's two phases, as the upload page: this checks it
    (row errors, warnings; a large file is checked by the worker: poll its status), and
    nothing is recorded until the commit."""

    required_scope = Scope.SUBMIT
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="import_upload",
        summary="Upload a returns file (CSV, XLSX or CTF) to be checked",
        request={"multipart/form-data": ImportUploadSerializer},
        responses={202: ImportStatusSerializer, 400: ERRORS, 401: ERRORS, 403: ERRORS},
        tags=["send"],
    )
    def post(self, request: Request) -> Response:
        user = _importer(request)
        upload = request.FILES.get("file")
        if upload is None:
            return error_response(
                [{"field": "file", "message": "Send the file as the form field 'file'."}],
                status.HTTP_400_BAD_REQUEST,
            )
        try:
            batch, _ = import_upload(
                data=upload.read(), filename=upload.name or "", by=user, background=True
            )
        except (UnreadableFile, ImportRefused) as error:
            return error_response(
                [{"field": "file", "message": str(error)}], status.HTTP_400_BAD_REQUEST
            )
        if batch.state == ImportState.UNREADABLE:
            # As the upload page says it on the file field (the file is kept, with the reason).
            return error_response(
                [{"field": "file", "message": str(batch.summary.get("unreadable", ""))}],
                status.HTTP_400_BAD_REQUEST,
            )
        return Response(import_status(batch), status=status.HTTP_202_ACCEPTED)


class ImportDetailView(ApiView):
    @extend_schema(
        operation_id="import_get",
        summary="An uploaded file's check, or its import's progress",
        responses={200: ImportStatusSerializer, 401: ERRORS, 403: ERRORS, 404: ERRORS},
        tags=["send"],
    )
    def get(self, request: Request, public_id: str) -> Response:
        return Response(import_status(_import_batch(_importer(request), public_id)))


class ImportCommitView(ApiView):
    required_scope = Scope.SUBMIT

    @extend_schema(
        operation_id="import_commit",
        summary="Import a checked file: all rows, or with valid_only the valid ones",
        request=ImportCommitSerializer,
        responses={200: ImportStatusSerializer, 400: ERRORS, 401: ERRORS, 403: ERRORS, 404: ERRORS},
        tags=["send"],
    )
    def post(self, request: Request, public_id: str) -> Response:
        user = _importer(request)
        batch = _import_batch(user, public_id)
        valid_only = (
            request.data.get("valid_only", False) if isinstance(request.data, dict) else None
        )
        if not isinstance(valid_only, bool):
            return error_response(
                [{"field": "valid_only", "message": "Give true or false."}],
                status.HTTP_400_BAD_REQUEST,
            )
        try:
            batch = import_commit_request(batch=batch, valid_only=valid_only, by=user)
        except ImportRefused as error:
            return error_response(
                [{"field": None, "message": str(error)}], status.HTTP_400_BAD_REQUEST
            )
        return Response(import_status(batch))


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


@csrf_exempt  # answers every method with the same 404; a POST carries no CSRF token here
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    return JsonResponse(
        {"errors": [{"field": None, "message": "There is no such address in the API."}]},
        status=404,
    )
