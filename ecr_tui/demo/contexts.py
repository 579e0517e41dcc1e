"""The demo's other contexts: a second account and two more regions, and the AWS config naming them.

`ecr-tui --demo` browses profile `dev` (account 123456789012) in us-east-1, the
registry `build_dataset` describes. Beside it the endpoint serves, with data of
their own:

- `dev` in eu-west-1 and ap-southeast-2 (some services deployed there too, and
  the payments repositories replicated there by the registry's replication rule);
- `prod`, a role in account 210987654321 that `dev` assumes (as a cross-account
  setup does: moto's STS hands out that account's keys, and the gateway answers
  for the account a key belongs to), in us-east-1 and eu-west-1;
- `prod-admin`, another role in that account, behind an MFA device that takes
  the code 123456 (any other is refused as AWS refuses it).

They are seeded after the default registry, in the background: the first
repository row never waits for them, and a request for one of them waits until
it is whole (never an empty answer that only means "not seeded yet").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ecr_tui.core.ecr import ConnectionSettings
from ecr_tui.demo.data.dataset import Dataset, build_dataset

PROD_ACCOUNT_ID = "210987654321"
PROD_ROLE = f"arn:aws:iam::{PROD_ACCOUNT_ID}:role/ecr-demo-reader"
PROD_ADMIN_ROLE = f"arn:aws:iam::{PROD_ACCOUNT_ID}:role/ecr-demo-admin"
# The demo's MFA device accepts one code: DEMO_MFA_CODE (see moto_patches.mfa).
DEMO_MFA_DEVICE = "arn:aws:iam::123456789012:mfa/demo-user"
DEFAULT_PROFILE = "dev"
# What the default registry replicates (to the `replica` contexts).
REPLICATED_PREFIX = "payments/"


@dataclass(frozen=True, slots=True)
class ExtraContext:
    """One more (account, region) the demo serves, and which of a registry's
    repositories it holds (a slice of `build_dataset(seed=seed)`)."""

    account: str
    region: str
    seed: int
    first: int
    last: int
    # A destination of the default registry's replication rule: it holds copies of
    # the replicated repositories (same names, same digests) instead of its own.
    replica: bool = False

    def dataset(self, home: Dataset) -> Dataset:
        """Its content: repositories of a registry of its own seed (own digests and dates),
        and, in a replica, the default registry's replicated repositories."""
        whole = build_dataset(self.last, big_repository_images=0, seed=self.seed, now=home.now)
        own = whole.repositories[self.first : self.last]
        if not self.replica:
            return Dataset(own, home.now, self.seed)
        copies = tuple(r for r in home.repositories if r.name.startswith(REPLICATED_PREFIX))
        own = tuple(r for r in own if not r.name.startswith(REPLICATED_PREFIX))
        return Dataset(tuple(sorted(own + copies, key=lambda r: r.name)), home.now, self.seed)


def demo_settings(profile: str | None = None, region: str | None = None) -> ConnectionSettings:
    """How `ecr-tui --demo` and `ecr-tui export --demo` connect: a profile of the demo's AWS
    config (`dev` unless named) in a region (us-east-1 unless named). Aim them at the
    endpoint with `at_demo_endpoint`: its STS then says who the caller is, and Amazon
    Inspector answers as the delegated administrator it is for `dev`."""
    return ConnectionSettings(
        profile=profile or DEFAULT_PROFILE, region=region or "us-east-1", demo=True
    )


def replication_configuration(home_account: str) -> dict[str, object]:
    """The default registry's replication (PutReplicationConfiguration's shape): the
    payments repositories to eu-west-1 and ap-southeast-2 of the same account."""
    destinations = [
        {"region": extra.region, "registryId": extra.account}
        for extra in extra_contexts(home_account)
        if extra.replica
    ]
    return {
        "rules": [
            {
                "destinations": destinations,
                "repositoryFilters": [{"filter": REPLICATED_PREFIX, "filterType": "PREFIX_MATCH"}],
            }
        ]
    }


def extra_contexts(home_account: str) -> tuple[ExtraContext, ...]:
    """The contexts served beside the default one."""
    return (
        ExtraContext(home_account, "eu-west-1", 21, 0, 10, replica=True),
        ExtraContext(home_account, "ap-southeast-2", 22, 10, 16, replica=True),
        ExtraContext(PROD_ACCOUNT_ID, "us-east-1", 23, 4, 20),
        ExtraContext(PROD_ACCOUNT_ID, "eu-west-1", 24, 0, 6),
    )


def inspector_members(administrator: str) -> tuple[str, ...]:
    """The member accounts whose Amazon Inspector findings `administrator` sees.

    The demo's home account is Inspector's delegated administrator of the
    organisation: its ListFindings covers `prod` too, each finding naming its
    account. Any other account sees its own only (and the demo's reader roles
    are not allowed inspector2 at all: see moto_patches.inspector).
    """
    return (PROD_ACCOUNT_ID,) if administrator != PROD_ACCOUNT_ID else ()


def aws_config_text(url: str, region: str) -> str:
    """The demo's AWS config: `dev` with the demo's keys, `prod` a role in another account.

    Both name the endpoint with `endpoint_url`, as a profile for a local or private
    endpoint does; the keys are not AWS's (the demo accepts any).
    """
    return f"""\
# Written by ecr-tui --demo for its local endpoint; removed when it exits.
[profile {DEFAULT_PROFILE}]
region = {region}
endpoint_url = {url}
aws_access_key_id = demo
aws_secret_access_key = demo

[profile prod]
region = {region}
endpoint_url = {url}
role_arn = {PROD_ROLE}
source_profile = {DEFAULT_PROFILE}
role_session_name = ecr-tui-demo

[profile prod-admin]
region = {region}
endpoint_url = {url}
role_arn = {PROD_ADMIN_ROLE}
source_profile = {DEFAULT_PROFILE}
mfa_serial = {DEMO_MFA_DEVICE}
"""


def write_aws_config(folder: Path, url: str, region: str) -> None:
    """The config and an empty credentials file (the user's own must not show in the demo)."""
    (folder / "aws-config").write_text(aws_config_text(url, region), encoding="utf-8")
    (folder / "aws-credentials").write_text("", encoding="utf-8")
