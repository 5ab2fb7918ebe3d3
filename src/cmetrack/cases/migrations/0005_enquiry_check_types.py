"""The reasonable-enquiries checklist (DOMAIN.md §5): school side, usually before referral, and
LA side. Administrators edit it afterwards as reference data. A frozen copy of the defaults."""

from django.db import migrations

# (code, label, side)
CHECKS = [
    ("school-first-day-call", "First-day call to parents or carers", "school"),
    ("school-all-contacts", "All contact numbers tried at different times", "school"),
    ("school-records-staff", "School records checked and staff asked", "school"),
    (
        "school-friends-siblings",
        "Friends, siblings and relatives asked (and their schools)",
        "school",
    ),
    ("school-agencies-known", "Agencies known to the family contacted", "school"),
    ("school-letter", "Letter to parents or carers", "school"),
    ("school-home-visit", "Home visit", "school"),
    ("school-social-media", "Social media checked", "school"),
    ("la-other-las", "Other authorities' CME officers and admissions", "la"),
    ("la-other-schools", "Other schools", "la"),
    ("la-s2s", "School to School (S2S) search and message", "la"),
    ("la-council-tax-housing", "Council tax and housing, including temporary accommodation", "la"),
    ("la-health", "Health: GP registration, health visitor, school nurse", "la"),
    ("la-social-care", "Children's social care / MASH", "la"),
    ("la-police", "Police", "la"),
    ("la-youth-justice", "Youth justice", "la"),
    ("la-benefits", "Benefits data (where an agreement exists)", "la"),
    ("la-home-office", "Home Office / Border Force (suspected move abroad)", "la"),
    ("la-home-visit", "Home visit by the authority", "la"),
]


def load(apps, schema_editor):
    CheckType = apps.get_model("cases", "EnquiryCheckType")
    for order, (code, label, side) in enumerate(CHECKS, start=1):
        CheckType.objects.update_or_create(
            code=code, defaults={"label": label, "side": side, "display_order": order * 10}
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_escalations_enquiries_closure_requests")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
