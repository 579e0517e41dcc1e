"""Repository administration: create and delete, images, scans, tags and the two policies.

Like `ecr.py`, every call blocks and is meant for a worker thread, and nothing
here knows about Textual. Each function checks its input (with `names.py` and
the policy validators) before its first request, so bad input never reaches
AWS and a refused change leaves nothing half done. Failures that a user can
act on come back as `UserFacingError`; any other AWS error is left to
`explain_error`.

- `repositories`: create (and validate the create form), delete, count images,
  tag mutability and scan on push.
- `images`: delete images in batches, start a scan, retag without pulling.
- `repository_policy` / `lifecycle_policy`: validate, read, replace and remove
  each policy; a lifecycle policy can also be previewed.
- `common` and `policy_documents`: the small helpers the others share.
"""
