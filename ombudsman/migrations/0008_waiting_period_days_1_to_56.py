import django.core.validators
from django.db import migrations, models


def cap_long_periods(apps, schema_editor):
    """Bring a stored policy longer than 8 weeks (which the admin once allowed) down to 56 days.

    Without it the constraint below could not be added. The Code of Practice's 8 weeks is the
    longest a customer may wait; complaints already filed keep the period they fixed (an
    agent can shorten one by correcting its date received, which takes the shorter period).
    """
    WaitingPeriodPolicy = apps.get_model("ombudsman", "WaitingPeriodPolicy")
    WaitingPeriodPolicy.objects.filter(days__gt=56).update(days=56)


class Migration(migrations.Migration):

    dependencies = [
        ('ombudsman', '0007_complaint_clock_dates'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='waitingperiodpolicy',
            name='ombudsman_policy_days_positive',
        ),
        migrations.AlterField(
            model_name='waitingperiodpolicy',
            name='days',
            field=models.PositiveSmallIntegerField(help_text="Calendar days from receipt until ADR opens: 1 to 56 (8 weeks, the Code of Practice's period, is the longest).", validators=[django.core.validators.MinValueValidator(1, 'A waiting period is at least 1 day.'), django.core.validators.MaxValueValidator(56, "A waiting period is at most 56 days (8 weeks, the Code of Practice's period): customers never wait longer than that for ADR.")]),
        ),
        migrations.RunPython(cap_long_periods, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='waitingperiodpolicy',
            constraint=models.CheckConstraint(condition=models.Q(('days__gte', 1), ('days__lte', 56)), name='ombudsman_policy_days_1_to_56'),
        ),
    ]
