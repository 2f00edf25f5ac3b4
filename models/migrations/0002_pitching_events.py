from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.event import EventState
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.constraints import UniqueConstraint

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PitchingEvent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('models.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.RESTRICT)),
                ('organizer', fields.ForeignKeyField('models.Actor', source_field='organizer_id', db_constraint=True, to_field='id', related_name='organized_events', on_delete=OnDelete.RESTRICT)),
                ('created_by', fields.ForeignKeyField('models.Actor', source_field='created_by_id', db_constraint=True, to_field='id', related_name='created_events', on_delete=OnDelete.RESTRICT)),
                ('title', fields.CharField(max_length=200)),
                ('venue', fields.CharField(default='', max_length=200)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('join_code', fields.CharField(unique=True, max_length=12)),
                ('state', fields.CharEnumField(default=EventState.SCHEDULED, description='SCHEDULED: SCHEDULED\nLIVE: LIVE\nCLOSED: CLOSED', enum_type=EventState, max_length=16)),
                ('current_pitch_id', fields.IntField(null=True)),
                ('supports_per_attendee', fields.SmallIntField(default=3)),
                ('results_hidden', fields.BooleanField(default=False)),
                ('results_revealed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revision', fields.IntField(default=0)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('final_results', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'pitching_event', 'app': 'models', 'indexes': [Index(fields=['community_id', 'starts_at'])], 'pk_attr': 'id', 'table_description': 'A public session where projects are pitched and the audience supports them.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EventAttendee',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event', fields.ForeignKeyField('models.PitchingEvent', source_field='event_id', db_constraint=True, to_field='id', related_name='attendees', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('models.Actor', source_field='person_id', db_constraint=True, to_field='id', related_name='attendances', on_delete=OnDelete.CASCADE)),
                ('token_digest', fields.CharField(null=True, unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'event_attendee', 'app': 'models', 'unique_together': (('event', 'person'),), 'pk_attr': 'id', 'table_description': 'Someone in the audience: a signed-in person, or an anonymous guest with a token.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Pitch',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event', fields.ForeignKeyField('models.PitchingEvent', source_field='event_id', db_constraint=True, to_field='id', related_name='pitches', on_delete=OnDelete.CASCADE)),
                ('project', fields.ForeignKeyField('models.Project', source_field='project_id', db_constraint=True, to_field='id', related_name='pitches', on_delete=OnDelete.RESTRICT)),
                ('position', fields.SmallIntField()),
                ('minutes', fields.SmallIntField(default=5)),
            ],
            options={'table': 'pitch', 'app': 'models', 'unique_together': (('event', 'project'),), 'pk_attr': 'id', 'table_description': "A project's slot on an event's agenda."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Pledge',
            name='event',
            field=fields.ForeignKeyField('models.PitchingEvent', source_field='event_id', null=True, db_constraint=True, to_field='id', related_name='pledges', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Pledge',
            name='event_slot',
            field=fields.SmallIntField(null=True),
        ),
        ops.AddConstraint(
            model_name='Pledge',
            constraint=UniqueConstraint(fields=('event', 'backer', 'event_slot'), name=None),
        ),
    ]
