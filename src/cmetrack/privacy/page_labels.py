"""What a manager reads for the page a record was seen on: the audit keeps the route's name
(`cases:detail`), which is exact but written for developers."""

# The pages that show a child most often; any other route reads as "Cases: change status".
NAMED = {
    "cases:detail": "Case page",
    "cases:list": "Case list or search results",
    "cases:dashboard": "Dashboard",
    "referrals:triage": "Incoming: triage",
    "referrals:import-preview": "Import preview",
    "referrals:submission": "A submission's page",
    "referrals:handover-reply": "Hand-over received",
    "privacy:subject-access": "Subject access export",
    "privacy:child-audit": "This audit trail",
    "privacy:child-audit-csv": "This audit trail, downloaded",
    "ehe:register": "Home education register",
    "ehe:record": "Home education record",
    "ehe:register-export": "Home education register, downloaded",
    "cases:list-export": "Case list, downloaded",
    "cases:tasks-export": "Task list, downloaded",
    "referrals:incoming-export": "Incoming queue, downloaded",
    "referrals:mine-export": "A partner's submissions, downloaded",
    "letters:case": "Letters for a case",
    "letters:preview": "Letter preview",
    "letters:download": "A letter, downloaded",
    "attachments:download": "An attachment, downloaded",
    "attachments:add": "Attaching evidence",
}
APPS = {
    "cases": "Cases",
    "referrals": "Intake",
    "matching": "Matching",
    "privacy": "Privacy",
    "ehe": "Home education",
    "reports": "Reports",
    "letters": "Letters",
    "attachments": "Attachments",
}


def page_label(route: str) -> str:
    if not route:
        return ""
    if route in NAMED:
        return NAMED[route]
    app, _, name = route.rpartition(":")
    words = name.replace("-", " ").replace("_", " ")
    return f"{APPS.get(app, app.title() or 'Page')}: {words}" if app else words.capitalize()
