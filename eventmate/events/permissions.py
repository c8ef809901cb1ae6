"""Who may host events and manage a given event. The one place these rules are spelled out."""


def can_host(user) -> bool:
    """Hosts create events; staff may too (to set up events on someone's behalf)."""
    return bool(user.is_authenticated and user.is_active and (user.is_host or user.is_staff))


def can_manage_event(user, event) -> bool:
    """The event's own host, or staff. A host whose hosting was turned off still manages the
    events they already have (to edit or wind them down), but cannot create new ones."""
    return bool(
        user.is_authenticated and user.is_active and (event.host_id == user.pk or user.is_staff)
    )
