"""ecr-tui: a terminal explorer for AWS ECR private registries."""

__version__ = "0.1.0"
