from django.urls import path

from .views import actions, pages, safeguarding, tasks

app_name = "cases"

urlpatterns = [
    path("", pages.dashboard, name="dashboard"),
    path("cases/", pages.case_list_view, name="list"),
    path("cases/export.<str:fmt>", pages.case_list_export, name="list-export"),
    path("tasks/", tasks.task_list, name="tasks"),
    path("tasks/export.<str:fmt>", tasks.task_list_export, name="tasks-export"),
    path("approvals/", safeguarding.approvals, name="approvals"),
    path(
        "approvals/<uuid:request_id>/approve/",
        safeguarding.closure_approve_view,
        name="closure-approve",
    ),
    path(
        "approvals/<uuid:request_id>/send-back/",
        safeguarding.closure_return_view,
        name="closure-return",
    ),
    path("cases/<uuid:public_id>/enquiries/new/", safeguarding.enquiry_add, name="enquiry-add"),
    path(
        "cases/<uuid:public_id>/enquiries/not-applicable/",
        safeguarding.enquiry_not_applicable,
        name="enquiry-not-applicable",
    ),
    path(
        "cases/<uuid:public_id>/enquiries-exhausted/",
        safeguarding.enquiries_exhausted,
        name="enquiries-exhausted",
    ),
    path(
        "cases/<uuid:public_id>/escalations/<uuid:escalation_id>/acknowledge/",
        safeguarding.escalation_acknowledge_view,
        name="escalation-acknowledge",
    ),
    path(
        "cases/<uuid:public_id>/escalations/<uuid:escalation_id>/resolve/",
        safeguarding.escalation_resolve_view,
        name="escalation-resolve",
    ),
    path("cases/<uuid:public_id>/", pages.case_detail, name="detail"),
    path("cases/<uuid:public_id>/tasks/new/", tasks.task_add, name="task-add"),
    path("cases/<uuid:public_id>/tasks/<uuid:task_id>/done/", tasks.task_done, name="task-done"),
    path("cases/<uuid:public_id>/status/", actions.change_status, name="status"),
    path("cases/<uuid:public_id>/assign/", actions.assign, name="assign"),
    path("cases/<uuid:public_id>/notes/new/", actions.add_note, name="note"),
    path("cases/<uuid:public_id>/risk/", actions.change_risk, name="risk"),
    path("cases/<uuid:public_id>/category/", actions.change_category, name="category"),
    path(
        "cases/<uuid:public_id>/main-reason/",
        actions.change_primary_reason,
        name="primary-reason",
    ),
    path("cases/<uuid:public_id>/close/", actions.close, name="close"),
    path("cases/<uuid:public_id>/reopen/", actions.reopen, name="reopen"),
    path("cases/<uuid:public_id>/flags/new/", actions.add_flag, name="flag-add"),
    path(
        "cases/<uuid:public_id>/flags/<slug:code>/remove/", actions.remove_flag, name="flag-remove"
    ),
]
