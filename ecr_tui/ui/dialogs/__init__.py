"""Modal dialogs: confirm, create a repository, edit or view text, push, transfer."""
