"""Demo AWS Backup: a daily plan and a vault under the billing key in prod Tokyo, nothing elsewhere.

* prod ap-northeast-1: plan ``acme-daily-35d`` (backup_plan_missing passes) writing into
  vault ``acme-prod-vault``, encrypted with the customer managed ``billing-data`` key
  (backup_vault_not_encrypted_with_cmk passes).
* prod us-east-1: only the ``Default`` vault, under AWS's own key, and no plan: fails both.
* dev: no plan in either Region (backup_plan_missing fails).
"""

from __future__ import annotations

from mamori.demo.estate import SeedEnv, seeder

TOKYO, VIRGINIA = "ap-northeast-1", "us-east-1"


def _key(env: SeedEnv) -> str:
    """The billing key from the KMS seeder; a key of our own when seeded alone."""
    shared = env.shared.get("billing_kms_key_arn")
    if shared:
        return str(shared)
    return str(env.client("kms", TOKYO).create_key(Description="Backup vault encryption")["KeyMetadata"]["Arn"])


@seeder("backup", order=50)
def seed_backup(env: SeedEnv) -> None:
    tokyo = env.client("backup", TOKYO)
    tokyo.create_backup_vault(BackupVaultName="acme-prod-vault", EncryptionKeyArn=_key(env),
                              BackupVaultTags={"owner": "platform"})  # fmt: skip
    tokyo.create_backup_plan(
        BackupPlan={
            "BackupPlanName": "acme-daily-35d",
            "Rules": [{"RuleName": "daily", "TargetBackupVaultName": "acme-prod-vault",
                       "ScheduleExpression": "cron(0 17 * * ? *)", "Lifecycle": {"DeleteAfterDays": 35}}],
        },
        BackupPlanTags={"owner": "platform"},
    )  # fmt: skip
    env.client("backup", VIRGINIA).create_backup_vault(BackupVaultName="Default")
