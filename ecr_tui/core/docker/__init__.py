"""The Docker side of the app: find the daemon, log it in to ECR, list, tag, push and pull.

Nothing here knows about Textual. Calls block and are meant to run in worker
threads; every failure becomes a `DockerActionError` (errors.py) whose message
says what went wrong and what to do next.

`docker` here is this package; `import docker` in its modules is the docker SDK.
"""
