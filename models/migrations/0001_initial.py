from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.actor import ActorKind, Sector
from models.organization import MembershipRole
from models.issue import AffectedGroup, IssueCategory, IssueStatus
from models.money import Currency
from models.pledge import PledgeKind, PledgeStatus
from models.project import ProjectStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    # Ordered so that every table is created after the tables it references.
    operations = [
        ops.CreateModel(
            name='Region',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=120)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'region', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An administrative region (oblast) grouping communities.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Actor',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='PERSON: PERSON\nORGANIZATION: ORGANIZATION', enum_type=ActorKind, max_length=16)),
                ('display_name', fields.CharField(max_length=160)),
                ('email', fields.CharField(null=True, unique=True, max_length=254)),
                ('password_hash', fields.CharField(null=True, max_length=255)),
                ('sector', fields.CharEnumField(null=True, description='PUBLIC: PUBLIC\nNONPROFIT: NONPROFIT\nBUSINESS: BUSINESS', enum_type=Sector, max_length=16)),
                ('description', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'actor', 'app': 'models', 'indexes': [Index(fields=['kind', 'sector'])], 'pk_attr': 'id', 'table_description': 'A person (citizen account) or an organization of one of the three sectors.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Community',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=160)),
                ('region', fields.ForeignKeyField('models.Region', source_field='region_id', db_constraint=True, to_field='id', related_name='communities', on_delete=OnDelete.RESTRICT)),
                ('population', fields.IntField(null=True)),
                ('centre_latitude', fields.FloatField()),
                ('centre_longitude', fields.FloatField()),
                ('opened_by', fields.ForeignKeyField('models.Actor', source_field='opened_by_id', null=True, db_constraint=True, to_field='id', related_name='opened_communities', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'community', 'app': 'models', 'unique_together': (('region', 'name'),), 'pk_attr': 'id', 'table_description': 'A territorial community (hromada) with its own interaction space.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AuthToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('models.Actor', source_field='person_id', db_constraint=True, to_field='id', related_name='tokens', on_delete=OnDelete.CASCADE)),
                ('token_digest', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'auth_token', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A bearer token of a signed-in person (only its SHA-256 digest is stored).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Membership',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Actor', source_field='organization_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('models.Actor', source_field='person_id', db_constraint=True, to_field='id', related_name='organization_memberships', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharEnumField(default=MembershipRole.MEMBER, description='MEMBER: MEMBER\nADMIN: ADMIN', enum_type=MembershipRole, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'membership', 'app': 'models', 'unique_together': (('organization', 'person'),), 'pk_attr': 'id', 'table_description': 'A person belonging to an organization, as a member or an admin.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Issue',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('models.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='issues', on_delete=OnDelete.RESTRICT)),
                ('title', fields.CharField(max_length=200)),
                ('description', fields.TextField(unique=False)),
                ('latitude', fields.FloatField()),
                ('longitude', fields.FloatField()),
                ('category', fields.CharEnumField(description='INFRASTRUCTURE: INFRASTRUCTURE\nTRANSPORT: TRANSPORT\nENVIRONMENT: ENVIRONMENT\nHEALTH: HEALTH\nEDUCATION: EDUCATION\nSOCIAL_SERVICES: SOCIAL_SERVICES\nHOUSING: HOUSING\nSAFETY: SAFETY\nECONOMY: ECONOMY\nCULTURE_AND_SPORT: CULTURE_AND_SPORT\nGOVERNANCE: GOVERNANCE\nOTHER: OTHER', enum_type=IssueCategory, max_length=32)),
                ('author', fields.ForeignKeyField('models.Actor', source_field='author_id', db_constraint=True, to_field='id', related_name='authored_issues', on_delete=OnDelete.RESTRICT)),
                ('created_by', fields.ForeignKeyField('models.Actor', source_field='created_by_id', db_constraint=True, to_field='id', related_name='created_issues', on_delete=OnDelete.RESTRICT)),
                ('status', fields.CharEnumField(default=IssueStatus.OPEN, description='OPEN: OPEN\nADDRESSED: ADDRESSED\nRESOLVED: RESOLVED\nDUPLICATE: DUPLICATE', enum_type=IssueStatus, max_length=16)),
                ('duplicate_of', fields.ForeignKeyField('models.Issue', source_field='duplicate_of_id', null=True, db_constraint=True, to_field='id', related_name='duplicates', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'issue', 'app': 'models', 'indexes': [Index(fields=['community_id', 'status']), Index(fields=['community_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'A local problem, mapped at a point and tagged with SDGs and affected groups.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='IssueSdgGoal',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('issue', fields.ForeignKeyField('models.Issue', source_field='issue_id', db_constraint=True, to_field='id', related_name='sdg_goals', on_delete=OnDelete.CASCADE)),
                ('goal', fields.SmallIntField(db_index=True)),
            ],
            options={'table': 'issue_sdg_goal', 'app': 'models', 'unique_together': (('issue', 'goal'),), 'pk_attr': 'id', 'table_description': 'One UN Sustainable Development Goal (1-17) an issue relates to.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='IssueAffectedGroup',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('issue', fields.ForeignKeyField('models.Issue', source_field='issue_id', db_constraint=True, to_field='id', related_name='affected_groups', on_delete=OnDelete.CASCADE)),
                ('group', fields.CharEnumField(db_index=True, description='LOW_INCOME: LOW_INCOME\nELDERLY: ELDERLY\nPEOPLE_WITH_DISABILITIES: PEOPLE_WITH_DISABILITIES\nINTERNALLY_DISPLACED: INTERNALLY_DISPLACED\nVETERANS: VETERANS\nCHILDREN_AND_YOUTH: CHILDREN_AND_YOUTH\nWOMEN: WOMEN\nETHNIC_MINORITIES: ETHNIC_MINORITIES\nUNEMPLOYED: UNEMPLOYED\nOTHER: OTHER', enum_type=AffectedGroup, max_length=32)),
            ],
            options={'table': 'issue_affected_group', 'app': 'models', 'unique_together': (('issue', 'group'),), 'pk_attr': 'id', 'table_description': 'One vulnerable group an issue hits.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='IssueFollower',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('issue', fields.ForeignKeyField('models.Issue', source_field='issue_id', db_constraint=True, to_field='id', related_name='followers', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('models.Actor', source_field='person_id', db_constraint=True, to_field='id', related_name='followed_issues', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'issue_follower', 'app': 'models', 'unique_together': (('issue', 'person'),), 'pk_attr': 'id', 'table_description': "A person following an issue's progress."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Project',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('models.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='projects', on_delete=OnDelete.RESTRICT)),
                ('title', fields.CharField(max_length=200)),
                ('summary', fields.TextField(unique=False)),
                ('requested_budget_minor', fields.BigIntField(default=0)),
                ('currency', fields.CharEnumField(default=Currency.UAH, description='UAH: UAH\nEUR: EUR\nUSD: USD\nPLN: PLN\nGBP: GBP', enum_type=Currency, max_length=3)),
                ('lead', fields.ForeignKeyField('models.Actor', source_field='lead_id', db_constraint=True, to_field='id', related_name='led_projects', on_delete=OnDelete.RESTRICT)),
                ('created_by', fields.ForeignKeyField('models.Actor', source_field='created_by_id', db_constraint=True, to_field='id', related_name='created_projects', on_delete=OnDelete.RESTRICT)),
                ('status', fields.CharEnumField(default=ProjectStatus.PROPOSED, description='DRAFT: DRAFT\nPROPOSED: PROPOSED\nPITCHED: PITCHED\nFUNDED: FUNDED\nIN_PROGRESS: IN_PROGRESS\nCOMPLETED: COMPLETED\nWITHDRAWN: WITHDRAWN', enum_type=ProjectStatus, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'project', 'app': 'models', 'indexes': [Index(fields=['community_id', 'status']), Index(fields=['community_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'An initiative proposed to address one or more local issues.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ProjectIssue',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('project', fields.ForeignKeyField('models.Project', source_field='project_id', db_constraint=True, to_field='id', related_name='addressed_issues', on_delete=OnDelete.CASCADE)),
                ('issue', fields.ForeignKeyField('models.Issue', source_field='issue_id', db_constraint=True, to_field='id', related_name='addressing_projects', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'project_issue', 'app': 'models', 'unique_together': (('project', 'issue'),), 'pk_attr': 'id', 'table_description': 'A project addressing an issue.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ProjectPartner',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('project', fields.ForeignKeyField('models.Project', source_field='project_id', db_constraint=True, to_field='id', related_name='partnerships', on_delete=OnDelete.CASCADE)),
                ('organization', fields.ForeignKeyField('models.Actor', source_field='organization_id', db_constraint=True, to_field='id', related_name='partnerships', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'project_partner', 'app': 'models', 'unique_together': (('project', 'organization'),), 'pk_attr': 'id', 'table_description': 'A partner organization of a project.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Pledge',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('project', fields.ForeignKeyField('models.Project', source_field='project_id', db_constraint=True, to_field='id', related_name='pledges', on_delete=OnDelete.CASCADE)),
                ('backer', fields.ForeignKeyField('models.Actor', source_field='backer_id', db_constraint=True, to_field='id', related_name='pledges', on_delete=OnDelete.RESTRICT)),
                ('made_by', fields.ForeignKeyField('models.Actor', source_field='made_by_id', db_constraint=True, to_field='id', related_name='pledges_made', on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharEnumField(description='VOTE: VOTE\nMONEY: MONEY\nTIME: TIME\nIN_KIND: IN_KIND', enum_type=PledgeKind, max_length=16)),
                ('status', fields.CharEnumField(default=PledgeStatus.PLEDGED, description='PLEDGED: PLEDGED\nCONFIRMED: CONFIRMED\nFULFILLED: FULFILLED\nWITHDRAWN: WITHDRAWN', enum_type=PledgeStatus, max_length=16)),
                ('amount_minor', fields.BigIntField(null=True)),
                ('currency', fields.CharEnumField(null=True, description='UAH: UAH\nEUR: EUR\nUSD: USD\nPLN: PLN\nGBP: GBP', enum_type=Currency, max_length=3)),
                ('hours_hundredths', fields.BigIntField(null=True)),
                ('description', fields.TextField(default='', unique=False)),
                ('active_vote_backer', fields.ForeignKeyField('models.Actor', source_field='active_vote_backer_id', null=True, db_constraint=True, to_field='id', related_name='active_votes', on_delete=OnDelete.CASCADE)),
                ('idempotency_key', fields.CharField(null=True, max_length=128)),
                ('request_fingerprint', fields.CharField(null=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('withdrawn_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'pledge', 'app': 'models', 'unique_together': (('project', 'active_vote_backer'), ('made_by', 'idempotency_key')), 'indexes': [Index(fields=['project_id', 'status'])], 'pk_attr': 'id', 'table_description': 'One act of support. Withdrawn pledges stay for the record but stop counting.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ActivityEntry',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('actor', fields.ForeignKeyField('models.Actor', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='activity', on_delete=OnDelete.SET_NULL)),
                ('performed_by', fields.ForeignKeyField('models.Actor', source_field='performed_by_id', null=True, db_constraint=True, to_field='id', related_name='performed_activity', on_delete=OnDelete.SET_NULL)),
                ('verb', fields.CharField(max_length=64)),
                ('subject_type', fields.CharField(max_length=32)),
                ('subject_id', fields.IntField()),
                ('community', fields.ForeignKeyField('models.Community', source_field='community_id', null=True, db_constraint=True, to_field='id', related_name='activity', on_delete=OnDelete.SET_NULL)),
                ('is_public', fields.BooleanField(default=True)),
                ('details', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'activity_entry', 'app': 'models', 'indexes': [Index(fields=['community_id', 'created_at']), Index(fields=['subject_type', 'subject_id'])], 'pk_attr': 'id', 'table_description': 'One recorded change, written in the same transaction as the change itself.'},
            bases=['Model'],
        ),
    ]
