"""Imports keep their checked rows and their state (parse once; large files in the background)."""

from django.db import migrations, models


def states(apps, schema_editor):
    # Batches from before this migration were checked on every view; they have no stored rows,
    # so an uncommitted one asks for the file again (imports.py, "upload it again").
    ImportBatch = apps.get_model("referrals", "ImportBatch")
    ImportBatch.objects.filter(committed=True).update(state="committed")
    ImportBatch.objects.filter(committed=False, summary__has_key="unreadable").update(
        state="unreadable"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0005_referral_still_on_roll"),
    ]

    operations = [
        migrations.AddField(
            model_name="importbatch",
            name="state",
            field=models.CharField(blank=True, default="checked", max_length=16),
        ),
        migrations.AddField(
            model_name="importbatch",
            name="progress_done",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="importbatch",
            name="progress_total",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="importbatch",
            name="preview",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(states, migrations.RunPython.noop),
    ]
