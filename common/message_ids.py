"""Message-IDs for the emails the portal sends: one per message row, kept, so a retry repeats it."""

import uuid


def new_message_id():
    return f"<{uuid.uuid4().hex}@complaints-portal>"
