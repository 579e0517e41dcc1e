"""Where moto's ECR does not behave like the real service, the demo answers itself.

moto serves every AWS API over HTTP; the gateway (`gateway.py`) sends the ECR
operations listed in `operations.py` here instead, answered from moto's backend
plus what real ECR also records about an image (compressed size, pull time,
scan):

* paging for DescribeRepositories, DescribeImages, ListImages and
  DescribeImageScanFindings (100 items by default, 1,000 at most): `paging.py`;
* realistic image details (`ecr_image.py`, `shapes.py`), scans that take time,
  basic and enhanced findings, one scan per image per 24 hours: `scanning.py`,
  `findings.py`;
* PutImage's tag rules (ImageTagAlreadyExistsException, a re-pushed tag leaves
  the old image untagged) and digests (sha256 of the manifest): `pushing.py`;
* image indexes and OCI 1.1 referrers: BatchGetImage answers an index only to
  a client that accepts it (`pulling.py`), ListImageReferrers (`referrers.py`);
* the archive storage class: `imageStatus` filters, UpdateImageStorageClass,
  archived images that cannot be pulled (`storage.py`);
* BatchGetRepositoryScanningConfiguration from the registry's enhanced-scanning
  rules (`scanning_config.py`);
* GetAuthorizationToken with a 12-hour token for the registry behind the demo
  (`auth.py`), and repository URIs (CreateRepository too) that point at that
  registry (`state.py`, `repositories.py`).

Every other call goes to moto (ECR calls under the same lock), its JSON errors
reduced to ECR's `__type` and `message` (`gateway.py`). This
package and `ecr_tui.demo.endpoint` are the only code that knows about moto,
and they read and write moto's private models: that is why moto is pinned in
pyproject.toml.
"""
