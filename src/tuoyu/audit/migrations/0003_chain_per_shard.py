"""[house] point 6: one audit chain per shard, hashed with a key.

Schema: every event gets `chain` (`institution:42`, `department:health`,
`township:330703001`, `district`); `seq` now counts within its chain — (chain, seq) is
unique, seq alone no longer is; the single head row (id = 1), which every write of the
platform locked until commit, becomes one head row per chain (the chain name is its key).
New events are hashed with HMAC-SHA256 under TUOYU_AUDIT_KEY over content that includes
the chain name.

Existing events (none is deployed yet, but the migration must be right on a database that
has some): they were hashed with plain SHA-256 over content without a chain name. A
migration cannot re-hash them with the audit key without rewriting history — the
append-only trigger forbids the UPDATE, and a migration that recomputes every hash is
exactly the forgery the chain exists to detect. So they all move, unchanged, into the chain
`legacy`: it keeps their seq 1..n, their links and their hashes, and is verified with the
old unkeyed scheme (`AuditEvent.compute_hash`). Its head is taken from the old head row —
the only thing that could show a deleted tail — or, if that row is missing, from the last
event. Nothing is ever appended to `legacy` again (`audit_record` refuses the name). Being
unkeyed, `legacy` proves only what it proved before migrating: write a digest of it
(`tuoyu audit_verify --write-digest DIR`) right after migrating and keep it elsewhere.
On an empty database there is no `legacy` chain.
"""

from django.db import migrations, models

LEGACY = "legacy"
GENESIS = "0" * 64


def heads_forwards(apps, schema_editor):
    db = schema_editor.connection.alias
    Event = apps.get_model("audit", "AuditEvent")
    OldHead = apps.get_model("audit", "LegacyChainHead")
    Head = apps.get_model("audit", "AuditChainHead")
    last = Event.objects.using(db).order_by("-seq").values("seq", "hash").first()
    old = OldHead.objects.using(db).filter(id=1).values("last_seq", "last_hash").first()
    if old and old["last_seq"] > 0:
        # The old head's claim, even if events behind it are missing: verify reports that.
        Head.objects.using(db).create(
            chain=LEGACY, last_seq=old["last_seq"], last_hash=old["last_hash"]
        )
    elif last:
        Head.objects.using(db).create(chain=LEGACY, last_seq=last["seq"], last_hash=last["hash"])


def heads_backwards(apps, schema_editor):
    db = schema_editor.connection.alias
    Event = apps.get_model("audit", "AuditEvent")
    OldHead = apps.get_model("audit", "LegacyChainHead")
    Head = apps.get_model("audit", "AuditChainHead")
    if Event.objects.using(db).exclude(chain=LEGACY).exists():
        raise RuntimeError(
            "已有按分片记录的审计事件，无法回退到单一审计链 (audit events exist in per-shard chains)"
        )
    head = Head.objects.using(db).filter(chain=LEGACY).first()
    if head is not None:
        OldHead.objects.using(db).create(id=1, last_seq=head.last_seq, last_hash=head.last_hash)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]

    operations = [
        migrations.RenameModel("AuditChainHead", "LegacyChainHead"),
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                ("chain", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("last_seq", models.BigIntegerField(default=0)),
                ("last_hash", models.CharField(default=GENESIS, max_length=64)),
            ],
        ),
        migrations.AddField(
            model_name="auditevent",
            name="chain",
            field=models.CharField(default=LEGACY, max_length=64),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(editable=False),
        ),
        migrations.AlterModelOptions(
            name="auditevent",
            options={
                "ordering": ["-id"],
                "verbose_name": "审计事件",
                "verbose_name_plural": "审计事件",
            },
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                fields=("chain", "seq"), name="audit_event_chain_seq_unique"
            ),
        ),
        migrations.RunPython(heads_forwards, heads_backwards),
        migrations.DeleteModel("LegacyChainHead"),
    ]
