"""A real registry behind the demo's ECR endpoint, so `docker push` and `pull` work offline.

`RegistryServer` (server.py) runs Docker Distribution (Debian's `docker-registry`) in a
temporary folder on a loopback port, with basic auth for the user `AWS`, as
ECR logins use. `RegistryFront` (front.py) is a small threaded reverse proxy in front of
it that passes every request through unchanged but asks the local ECR
endpoint before a repository gets blobs or a manifest (so a missing repository
or an immutable tag is refused with ECR's own error), and tells it about every
manifest pushed or pulled (so DescribeImages shows what Docker pushed).
`attach_demo_registry` (demo_registry.py) starts both behind a `LocalEcr`.

Docker treats 127.0.0.0/8 as a plain-HTTP registry, so no TLS is needed. The
password lives in memory and in a bcrypt htpasswd file; it reaches `htpasswd`
on stdin, never argv.
"""
