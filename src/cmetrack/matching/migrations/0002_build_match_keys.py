"""File every child already on record under its blocking keys (new records get theirs from the
signal handlers). Uses the pure key function, so the historical models are enough."""

from django.db import migrations


def build(apps, schema_editor):
    from cmetrack.matching.keys import blocking_keys

    Child = apps.get_model("children", "Child")
    ChildMatchKey = apps.get_model("matching", "ChildMatchKey")
    batch = []
    for child in (
        Child.objects.filter(merged_into__isnull=True)
        .prefetch_related("other_names", "addresses", "former_upns")
        .iterator(chunk_size=2000)
    ):
        keys = blocking_keys(
            surnames=[child.surname, *(o.surname for o in child.other_names.all())],
            date_of_birth=child.date_of_birth,
            upns=[child.upn, *(f.upn for f in child.former_upns.all())],
            postcodes=[a.postcode or a.postcode_raw for a in child.addresses.all()],
        )
        batch += [ChildMatchKey(child_id=child.pk, key=k) for k in keys]
        if len(batch) > 10000:
            ChildMatchKey.objects.bulk_create(batch)
            batch = []
    ChildMatchKey.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("matching", "0001_initial")]

    operations = [migrations.RunPython(build, migrations.RunPython.noop)]
