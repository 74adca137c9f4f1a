"""Demo IAM Identity Center: users and permission sets, and no standing assignment (docs/access.md).

Production access is asked for with ``mamori access request``; approval creates the
assignment, expiry removes it. Runs last, so the identifiers of the other seeders stay as they were.
"""

from __future__ import annotations

from mamori.demo.estate import SeedEnv, seeder

USERS = {"alice": "Alice Developer", "bob": "Bob Oncall", "carol": "Carol Security"}
PERMISSION_SETS = {
    "ReadOnly": ("PT8H", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
    "Operator": ("PT1H", "arn:aws:iam::aws:policy/PowerUserAccess"),
    "AdministratorAccess": ("PT1H", "arn:aws:iam::aws:policy/AdministratorAccess"),
}


@seeder("identity_center", order=99)
def seed_identity_center(env: SeedEnv) -> None:
    sso = env.client("sso-admin", "us-east-1")
    instance = sso.list_instances()["Instances"][0]
    ids = env.client("identitystore", "us-east-1")
    for user, display in USERS.items():
        given, family = display.split(" ", 1)
        ids.create_user(IdentityStoreId=instance["IdentityStoreId"], UserName=user, DisplayName=display,
                        Name={"GivenName": given, "FamilyName": family},
                        Emails=[{"Value": f"{user}@acme.example", "Type": "work", "Primary": True}])  # fmt: skip
    for name, (duration, policy) in PERMISSION_SETS.items():
        arn = sso.create_permission_set(InstanceArn=instance["InstanceArn"], Name=name, SessionDuration=duration,
                                        Description=f"{name} (granted just in time by mamori access)")["PermissionSet"]["PermissionSetArn"]  # fmt: skip
        sso.attach_managed_policy_to_permission_set(InstanceArn=instance["InstanceArn"], PermissionSetArn=arn, ManagedPolicyArn=policy)
    env.shared["identity_center"] = {"instance_arn": instance["InstanceArn"], "users": sorted(USERS), "permission_sets": sorted(PERMISSION_SETS)}
