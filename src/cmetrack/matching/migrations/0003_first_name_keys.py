"""File every child already on record under its first-name sound keys (`fnp:`, issue 14); new
and changed records get theirs from the signal handlers. Uses the pure key function, so the
historical models are enough."""

from django.db import migrations


def build(apps, schema_editor):
    from cmetrack.matching.keys import blocking_keys

    Child = apps.get_model("children", "Child")
    ChildMatchKey = apps.get_model("matching", "ChildMatchKey")
    ChildMatchKey.objects.filter(key__startswith="fnp:").delete()
    batch = []
    for child in (
        Child.objects.filter(merged_into__isnull=True)
        .prefetch_related("other_names")
        .iterator(chunk_size=2000)
    ):
        others = list(child.other_names.all())
        keys = blocking_keys(
            forenames=[child.forenames, *(o.forenames for o in others)],
            # The surname initials are part of a first-name key (fnp:<sound>:<initial>:<year>).
            surnames=[child.surname, *(o.surname for o in others)],
            date_of_birth=child.date_of_birth,
        )
        batch += [ChildMatchKey(child_id=child.pk, key=k) for k in keys if k.startswith("fnp:")]
        if len(batch) > 10000:
            ChildMatchKey.objects.bulk_create(batch)
            batch = []
    ChildMatchKey.objects.bulk_create(batch)


def unbuild(apps, schema_editor):
    apps.get_model("matching", "ChildMatchKey").objects.filter(key__startswith="fnp:").delete()


class Migration(migrations.Migration):
    dependencies = [("matching", "0002_build_match_keys")]

    operations = [migrations.RunPython(build, unbuild)]
