from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

# PostgreSQL only: trigram similarity for duplicate suggestions, and a GiST index on the
# issue's point for bounding-box and radius queries over 100,000s of issues. SQLite uses
# plain scans of the community's issues (its embedded use is small communities).
POSTGRES_FORWARD = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS issue_title_trgm ON issue USING gin (title gin_trgm_ops);
CREATE INDEX IF NOT EXISTS issue_point_gist ON issue USING gist (point(longitude, latitude));
"""
POSTGRES_BACKWARD = """
DROP INDEX IF EXISTS issue_point_gist;
DROP INDEX IF EXISTS issue_title_trgm;
"""


async def _postgres_only(sql, schema_editor):
    if schema_editor.DIALECT == "postgres":
        await schema_editor.client.execute_script(sql)


async def add_search_indexes(apps, schema_editor):
    await _postgres_only(POSTGRES_FORWARD, schema_editor)


async def drop_search_indexes(apps, schema_editor):
    await _postgres_only(POSTGRES_BACKWARD, schema_editor)


class Migration(migrations.Migration):
    dependencies = [('models', '0002_pitching_events')]

    initial = False

    operations = [
        ops.CreateModel(
            name='IssueAffectedPerson',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('issue', fields.ForeignKeyField('models.Issue', source_field='issue_id', db_constraint=True, to_field='id', related_name='affected_people', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('models.Actor', source_field='person_id', db_constraint=True, to_field='id', related_name='affected_by_issues', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'issue_affected_person', 'app': 'models', 'unique_together': (('issue', 'person'),), 'pk_attr': 'id', 'table_description': 'A resident saying an issue affects them too (the "me too" of FixMyStreet).'},
            bases=['Model'],
        ),
        ops.RunPython(add_search_indexes, drop_search_indexes),
    ]
