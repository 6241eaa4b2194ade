"""The staff roles. Group names live here only; permissions are granted in migrations."""

SUPPORT_AGENTS = "Support agents"
COMPLAINT_MANAGERS = "Complaint managers"


def is_agent(user):
    return user.is_active and user.is_staff and user.groups.filter(name=SUPPORT_AGENTS).exists()


def is_manager(user):
    return user.is_active and user.is_staff and (
        user.is_superuser or user.groups.filter(name=COMPLAINT_MANAGERS).exists()
    )
