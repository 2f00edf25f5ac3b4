from tortoise import migrations
from tortoise.migrations import operations as ops
from models.event import SupportMode
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.migrations.constraints import UniqueConstraint

# Support given before this migration: an attendee without an attendee token signed in
# (verified); a guest person (no email, no password) was anonymous.
MARK_VERIFIED = (
    "UPDATE event_attendee SET verified = (token_digest IS NULL);"
    " UPDATE pledge SET verified = FALSE WHERE backer_id IN"
    " (SELECT id FROM actor WHERE kind = 'PERSON' AND email IS NULL AND password_hash IS NULL);"
)


class Migration(migrations.Migration):
    dependencies = [('models', '0005_lookup_indexes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ApiKey',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Actor', source_field='organization_id', db_constraint=True, to_field='id', related_name='api_keys', on_delete=OnDelete.CASCADE)),
                ('created_by', fields.ForeignKeyField('models.Actor', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='api_keys_created', on_delete=OnDelete.SET_NULL)),
                ('name', fields.CharField(max_length=100)),
                ('prefix', fields.CharField(max_length=16)),
                ('digest', fields.CharField(unique=True, max_length=64)),
                ('can_write', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'api_key', 'app': 'models', 'pk_attr': 'id', 'table_description': "A partner's key: acts for its organization, read-only or read-write, until it"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AttendeeCode',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event', fields.ForeignKeyField('models.PitchingEvent', source_field='event_id', db_constraint=True, to_field='id', related_name='attendee_codes', on_delete=OnDelete.CASCADE)),
                ('digest', fields.CharField(unique=True, max_length=64)),
                ('attendee', fields.ForeignKeyField('models.EventAttendee', source_field='attendee_id', null=True, db_constraint=True, to_field='id', related_name='codes', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'attendee_code', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A one-time personal code an organiser hands out (a QR card): whoever joins with it'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='EventAttendee',
            name='device_digest',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='EventAttendee',
            name='verified',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddConstraint(
            model_name='EventAttendee',
            constraint=UniqueConstraint(fields=('event', 'device_digest'), name=None),
        ),
        ops.AddField(
            model_name='PitchingEvent',
            name='support_mode',
            field=fields.CharEnumField(default=SupportMode.OPEN, description='OPEN: OPEN\nCODES: CODES\nSIGNED_IN: SIGNED_IN', enum_type=SupportMode, max_length=16),
        ),
        ops.AddField(
            model_name='Pledge',
            name='verified',
            field=fields.BooleanField(default=True, db_default=True),
        ),
        ops.RunSQL(MARK_VERIFIED, ops.RunSQL.noop),
    ]
