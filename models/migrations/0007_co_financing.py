from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.match_pool import MatchRelease, MatchRule
from models.money import Currency
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.constraints import CheckConstraint

# The running totals' CHECK constraints. SQLite's CREATE TABLE above writes them from the
# models' Meta; PostgreSQL's leaves them out, and AddConstraint would rebuild the SQLite
# tables (losing the match's unique constraint), so PostgreSQL gets them here.
POSTGRES_CHECKS = """
ALTER TABLE match_pool ADD CONSTRAINT match_pool_never_overdrawn
    CHECK (matched_minor >= 0 AND matched_minor <= total_minor);
ALTER TABLE match_contribution ADD CONSTRAINT match_contribution_never_overdrawn
    CHECK (drawn_minor >= 0 AND drawn_minor <= amount_minor);
ALTER TABLE match ADD CONSTRAINT match_not_negative CHECK (amount_minor >= 0);
"""


async def _checks_on_postgres(apps, schema_editor) -> None:
    if schema_editor.client.capabilities.dialect == "postgres":
        await schema_editor.client.execute_script(POSTGRES_CHECKS)


def _no_op(apps, schema_editor) -> None:
    return None


class Migration(migrations.Migration):
    dependencies = [('models', '0006_api_protection')]

    initial = False

    operations = [
        ops.CreateModel(
            name='MatchPool',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('models.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='match_pools', on_delete=OnDelete.RESTRICT)),
                ('funder', fields.ForeignKeyField('models.Actor', source_field='funder_id', db_constraint=True, to_field='id', related_name='match_pools', on_delete=OnDelete.RESTRICT)),
                ('opened_by', fields.ForeignKeyField('models.Actor', source_field='opened_by_id', db_constraint=True, to_field='id', related_name='match_pools_opened', on_delete=OnDelete.RESTRICT)),
                ('event', fields.ForeignKeyField('models.PitchingEvent', source_field='event_id', null=True, db_constraint=True, to_field='id', related_name='match_pools', on_delete=OnDelete.RESTRICT)),
                ('title', fields.CharField(max_length=200)),
                ('currency', fields.CharEnumField(description='UAH: UAH\nEUR: EUR\nUSD: USD\nPLN: PLN\nGBP: GBP', enum_type=Currency, max_length=3)),
                ('ratio_funds', fields.IntField()),
                ('ratio_per', fields.IntField()),
                ('cap_per_pledge_minor', fields.BigIntField(null=True)),
                ('cap_per_backer_per_project_minor', fields.BigIntField(null=True)),
                ('cap_per_backer_minor', fields.BigIntField(null=True)),
                ('cap_per_project_minor', fields.BigIntField(null=True)),
                ('sectors', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('min_backers', fields.IntField(default=0)),
                ('opens_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('closes_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('total_minor', fields.BigIntField()),
                ('matched_minor', fields.BigIntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'match_pool', 'app': 'models', 'constraints': [CheckConstraint(check='matched_minor >= 0 AND matched_minor <= total_minor', name='match_pool_never_overdrawn')], 'indexes': [Index(fields=['community_id', 'currency'])], 'pk_attr': 'id', 'table_description': 'Money a funder puts up to match confirmed pledges in a community.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Match',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('pool', fields.ForeignKeyField('models.MatchPool', source_field='pool_id', db_constraint=True, to_field='id', related_name='matches', on_delete=OnDelete.CASCADE)),
                ('pledge', fields.ForeignKeyField('models.Pledge', source_field='pledge_id', db_constraint=True, to_field='id', related_name='matches', on_delete=OnDelete.CASCADE)),
                ('active_pledge', fields.ForeignKeyField('models.Pledge', source_field='active_pledge_id', null=True, db_constraint=True, to_field='id', related_name='active_matches', on_delete=OnDelete.CASCADE)),
                ('project', fields.ForeignKeyField('models.Project', source_field='project_id', db_constraint=True, to_field='id', related_name='matches', on_delete=OnDelete.CASCADE)),
                ('backer', fields.ForeignKeyField('models.Actor', source_field='backer_id', db_constraint=True, to_field='id', related_name='matches', on_delete=OnDelete.RESTRICT)),
                ('amount_minor', fields.BigIntField()),
                ('rule', fields.CharEnumField(description='RATIO: RATIO\nPER_PLEDGE: PER_PLEDGE\nPER_BACKER_PER_PROJECT: PER_BACKER_PER_PROJECT\nPER_BACKER: PER_BACKER\nPER_PROJECT: PER_PROJECT\nPROJECT_NEED: PROJECT_NEED\nPOOL_BALANCE: POOL_BALANCE', enum_type=MatchRule, max_length=32)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('released_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('release_reason', fields.CharEnumField(null=True, description='WITHDRAWN: WITHDRAWN\nDECLINED: DECLINED\nRECEIVED_LESS: RECEIVED_LESS', enum_type=MatchRelease, max_length=16)),
            ],
            options={'table': 'match', 'app': 'models', 'unique_together': (('pool', 'active_pledge'),), 'constraints': [CheckConstraint(check='amount_minor >= 0', name='match_not_negative')], 'indexes': [Index(fields=['pool_id', 'project_id']), Index(fields=['pool_id', 'backer_id']), Index(fields=['project_id'])], 'pk_attr': 'id', 'table_description': 'Money a pool added to one confirmed pledge (zero when a cap left nothing).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MatchContribution',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('pool', fields.ForeignKeyField('models.MatchPool', source_field='pool_id', db_constraint=True, to_field='id', related_name='contributions', on_delete=OnDelete.CASCADE)),
                ('funder', fields.ForeignKeyField('models.Actor', source_field='funder_id', db_constraint=True, to_field='id', related_name='match_contributions', on_delete=OnDelete.RESTRICT)),
                ('made_by', fields.ForeignKeyField('models.Actor', source_field='made_by_id', db_constraint=True, to_field='id', related_name='match_contributions_made', on_delete=OnDelete.RESTRICT)),
                ('amount_minor', fields.BigIntField()),
                ('drawn_minor', fields.BigIntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'match_contribution', 'app': 'models', 'constraints': [CheckConstraint(check='drawn_minor >= 0 AND drawn_minor <= amount_minor', name='match_contribution_never_overdrawn')], 'pk_attr': 'id', 'table_description': 'What one funder put into a pool, and how much of it matches have drawn.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MatchPoolProject',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('pool', fields.ForeignKeyField('models.MatchPool', source_field='pool_id', db_constraint=True, to_field='id', related_name='restricted_to', on_delete=OnDelete.CASCADE)),
                ('project', fields.ForeignKeyField('models.Project', source_field='project_id', db_constraint=True, to_field='id', related_name='restricted_pools', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'match_pool_project', 'app': 'models', 'unique_together': (('pool', 'project'),), 'pk_attr': 'id', 'table_description': 'A project a restricted pool matches (a pool with none matches every project).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MatchShare',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('match', fields.ForeignKeyField('models.Match', source_field='match_id', db_constraint=True, to_field='id', related_name='shares', on_delete=OnDelete.CASCADE)),
                ('contribution', fields.ForeignKeyField('models.MatchContribution', source_field='contribution_id', db_constraint=True, to_field='id', related_name='shares', on_delete=OnDelete.CASCADE)),
                ('amount_minor', fields.BigIntField()),
            ],
            options={'table': 'match_share', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The part of a match drawn from one contribution (in proportion to what is left).'},
            bases=['Model'],
        ),
        ops.RunPython(_checks_on_postgres, _no_op),
        # Not written: the new status's description on pledge.status (tortoise rebuilds the
        # SQLite table for it and loses the pledge's unique constraints; the column needs no
        # change for DECLINED, it is a 16-character string).
        ops.AddField(
            model_name='Pledge',
            name='confirmed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Pledge',
            name='decline_reason',
            field=fields.TextField(default='', db_default='', unique=False),
        ),
        ops.AddField(
            model_name='Pledge',
            name='declined_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Pledge',
            name='fulfilled_on',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Pledge',
            name='fulfillment_reference',
            field=fields.CharField(default='', db_default='', max_length=200),
        ),
        ops.AddField(
            model_name='Pledge',
            name='received_minor',
            field=fields.BigIntField(null=True),
        ),
    ]
