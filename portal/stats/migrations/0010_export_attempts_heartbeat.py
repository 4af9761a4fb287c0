"""An export's runs and its last sign of life, so the beat sweep (exports_resume_stalled) can take over an
export whose worker died. Rows already there get the migration's time: one stuck `running` before this is
resumed once the sweep's stall time has passed."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('stats', '0009_rollup_unique_keys'),
    ]

    operations = [
        migrations.AddField(
            model_name='export',
            name='attempts',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='attempts'),
        ),
        migrations.AddField(
            model_name='export',
            name='heartbeat_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='last progress at'),
        ),
    ]
