"""What the demo registry's repositories hold: workload kinds and the hand-written repositories.

A kind (Go service, Python app, Helm charts, ...) drives image sizes, layers,
tags and findings. The curated repositories come first; words for the names
of generated repositories follow.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Kind:
    """What a repository holds; drives sizes, layers, tags and findings."""

    family: str  # OS package family: alpine, debian, ubuntu, scratch, helm
    ecosystem: str  # language packages only enhanced scanning sees ("" for none)
    size_mb: tuple[float, float]  # compressed image size range
    layers: tuple[int, int]
    base_layers: int  # leading layers shared by images built on the same base
    findings: float  # typical number of findings in one image
    tag_style: str  # app, base, cache, chart
    oci: float  # share of images pushed as OCI (BuildKit) rather than Docker v2


KINDS: dict[str, Kind] = {
    "go": Kind("alpine", "GOBINARY", (8, 35), (3, 6), 2, 4, "app", 0.5),
    "nginx": Kind("alpine", "", (10, 26), (6, 8), 5, 6, "base", 0.0),
    "static": Kind("scratch", "GOBINARY", (5, 20), (1, 3), 0, 0, "app", 0.7),
    "node": Kind("debian", "NODEPKG", (60, 180), (6, 11), 4, 45, "app", 0.3),
    "python": Kind("debian", "PYTHONPKG", (50, 260), (5, 10), 4, 60, "app", 0.3),
    "jvm": Kind("ubuntu", "JAR", (120, 380), (5, 9), 4, 35, "app", 0.2),
    "ml": Kind("ubuntu", "PYTHONPKG", (800, 1500), (8, 14), 6, 170, "app", 0.1),
    "ci": Kind("debian", "", (300, 900), (8, 14), 6, 110, "cache", 0.9),
    "helm": Kind("helm", "", (0.004, 0.06), (1, 1), 0, 0, "chart", 1.0),
    # A distribution's base image, rebuilt every week for several platforms.
    "base-os": Kind("debian", "", (28, 52), (1, 2), 1, 55, "base", 1.0),
    # Kubernetes manifests pushed with `flux push artifact`: an OCI artifact, not an image.
    "flux": Kind("flux", "", (0.002, 0.03), (1, 1), 0, 0, "app", 1.0),
}

# How a repository's images are pushed (`Curated.push_style`):
PUSH_SINGLE = "single"  # one manifest per push (docker push, or BuildKit without attestations)
PUSH_BUILDX = "buildx"  # `docker buildx build --platform ... --push`: an OCI index, attestations
PUSH_MANIFEST_LIST = "manifest-list"  # `docker manifest create/push`: a Docker manifest list
PUSH_SIGNED = "signed"  # images signed (Notation, cosign) with SBOMs and attestations attached
PUSH_ARCHIVED = "archived"  # old releases moved to the archive storage class


@dataclass(frozen=True, slots=True)
class Curated:
    """A repository to create: its name, kind, image count and settings."""

    name: str
    kind: str
    images: int  # pushes (one may store several manifests); 0: the big repository
    mutability: str = "MUTABLE"
    scan_on_push: bool = True
    kms: bool = False
    enhanced: bool = False
    # Enhanced scanning's frequency (the registry's rule that names the repository).
    enhanced_frequency: str = "CONTINUOUS_SCAN"
    push_style: str = PUSH_SINGLE
    dual_layer_kms: bool = False  # KMS_DSSE rather than KMS
    # Tag patterns exempt from the mutability setting (the *_WITH_EXCLUSION settings).
    exclusions: tuple[str, ...] = ()


# The hand-written part of the registry, most telling first so that a small
# dataset (tests) still holds every feature: big repository, enhanced findings,
# failed and unsupported scans, Helm artifacts, KMS, immutable tags.
CURATED: tuple[Curated, ...] = (
    Curated("payments/api", "jvm", 42, "IMMUTABLE", kms=True, enhanced=True),
    Curated("platform/nginx-base", "nginx", 24),
    Curated("platform/build-cache", "ci", 0, scan_on_push=True),
    Curated("web/storefront", "node", 55, enhanced=True),
    Curated("data/etl-runner", "python", 31, scan_on_push=False),
    Curated("ml/inference-server", "ml", 18, "IMMUTABLE", kms=True, enhanced=True),
    Curated("platform/distroless-static", "static", 12),
    Curated("platform/helm-charts", "helm", 26, "IMMUTABLE", scan_on_push=False),
    Curated("identity/auth-service", "go", 38, "IMMUTABLE"),
    Curated("payments/ledger-service", "jvm", 27, kms=True),
    Curated("payments/fraud-scorer", "python", 21),
    Curated("payments/webhooks", "go", 17, scan_on_push=False),
    Curated("platform/python-base", "python", 14),
    Curated("platform/node-base", "node", 11),
    Curated("platform/jdk-base", "jvm", 9, scan_on_push=False),
    Curated("platform/otel-collector", "go", 16),
    Curated("data/airflow", "python", 23, kms=True),
    Curated("data/kafka-connect", "jvm", 12, "IMMUTABLE"),
    Curated("data/dbt-runner", "python", 19, scan_on_push=False),
    Curated("data/spark-jobs", "jvm", 34, kms=True),
    Curated("identity/user-profile", "node", 29),
    Curated("identity/keycloak", "jvm", 8, scan_on_push=False),
    Curated("search/indexer", "jvm", 25, "IMMUTABLE"),
    Curated("search/query-api", "go", 33),
    Curated("search/opensearch-plugins", "jvm", 7, scan_on_push=False),
    Curated("ml/training-gpu", "ml", 13, kms=True),
    Curated("ml/feature-store", "python", 20),
    Curated("ml/notebook", "ml", 6, scan_on_push=False),
    Curated("web/admin-console", "node", 22),
    Curated("web/image-resizer", "go", 15, scan_on_push=False),
    Curated("mobile/push-gateway", "go", 18, "IMMUTABLE"),
    Curated("mobile/api-gateway", "node", 26),
    Curated("security/scanner-agent", "go", 10, kms=True),
    Curated("security/vault-sidecar", "static", 9, "IMMUTABLE"),
    Curated("infra/terraform-runner", "go", 14, scan_on_push=False),
    Curated("infra/ci-runner", "ci", 28),
    # Real ECR as it is today: image indexes, referrers, artifacts, archive, exclusions.
    Curated("platform/multiarch-base", "base-os", 14, "IMMUTABLE_WITH_EXCLUSION",
            enhanced=True, push_style=PUSH_BUILDX, exclusions=("latest", "bookworm")),
    Curated("apps/web-frontend", "node", 18, enhanced=True, enhanced_frequency="SCAN_ON_PUSH",
            push_style=PUSH_BUILDX),
    Curated("infra/log-forwarder", "go", 10, push_style=PUSH_MANIFEST_LIST),
    Curated("security/signed-api", "go", 12, "IMMUTABLE_WITH_EXCLUSION", kms=True,
            dual_layer_kms=True, enhanced=True, push_style=PUSH_SIGNED,
            exclusions=("latest", "dev-*")),
    Curated("charts/ingress", "helm", 9, "IMMUTABLE", enhanced=True,
            enhanced_frequency="SCAN_ON_PUSH"),
    Curated("deploy/flux-manifests", "flux", 16, scan_on_push=False),
    Curated("payments/settlement-batch", "jvm", 20, "MUTABLE_WITH_EXCLUSION",
            push_style=PUSH_ARCHIVED, exclusions=("v*", "release-*")),
)  # fmt: skip
BIG_REPOSITORY = "platform/build-cache"
# The demo's registry: every hand-written repository.
DEMO_REPOSITORIES = len(CURATED)

TEAMS = ("payments", "platform", "data", "identity", "search", "ml", "web", "mobile", "infra")
WORDS_A = (
    "order", "billing", "invoice", "catalog", "inventory", "pricing", "checkout", "report",
    "notify", "audit", "session", "profile", "ledger", "quote", "shipping", "metrics",
)  # fmt: skip
WORDS_B = (
    "api", "worker", "service", "consumer", "gateway", "scheduler", "sync", "exporter",
    "processor", "cron", "proxy", "adapter",
)  # fmt: skip
GENERATED_KINDS = ("go", "go", "node", "node", "python", "python", "jvm", "jvm", "static", "ml")
