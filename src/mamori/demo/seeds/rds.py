"""RDS: a private, encrypted, maintained database in prod; a public, unencrypted one in dev.

prod ap-northeast-1 ``billing-db`` (PostgreSQL): private, encrypted with the
``billing-data`` key, Multi-AZ, deletion protection, IAM authentication, auto minor
upgrades. dev us-east-1 ``analytics-db`` (MySQL): publicly accessible, unencrypted, no
auto minor upgrades, passwords only: "it's just dev".
"""

from __future__ import annotations

from mamori.demo.estate import SeedEnv, seeder


@seeder("rds", order=60)
def seed_rds(env: SeedEnv) -> None:
    env.client("rds", "ap-northeast-1").create_db_instance(
        DBInstanceIdentifier="billing-db",
        DBInstanceClass="db.t3.medium",
        Engine="postgres",
        EngineVersion="16.3",
        MasterUsername="billing_admin",
        MasterUserPassword="demo-only-not-a-secret-1",
        AllocatedStorage=50,
        PubliclyAccessible=False,
        StorageEncrypted=True,
        KmsKeyId=env.shared.get("billing_kms_key_arn", "alias/aws/rds"),
        AutoMinorVersionUpgrade=True,
        MultiAZ=True,
        DeletionProtection=True,
        BackupRetentionPeriod=7,
        EnableIAMDatabaseAuthentication=True,
        Tags=[{"Key": "owner", "Value": "billing"}, {"Key": "env", "Value": "prod"}],
    )
    env.client("rds", "us-east-1", account="dev").create_db_instance(
        DBInstanceIdentifier="analytics-db",
        DBInstanceClass="db.t3.micro",
        Engine="mysql",
        EngineVersion="8.0.35",
        MasterUsername="admin",
        MasterUserPassword="demo-only-not-a-secret-2",
        AllocatedStorage=20,
        PubliclyAccessible=True,
        StorageEncrypted=False,
        AutoMinorVersionUpgrade=False,
        BackupRetentionPeriod=1,
        EnableIAMDatabaseAuthentication=False,
        Tags=[{"Key": "owner", "Value": "data-team"}, {"Key": "env", "Value": "dev"}],
    )
