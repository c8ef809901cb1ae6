"""Domain errors raised by the event services. Views turn them into messages and statuses.

Every error carries a `message` a person can read; the view shows it as is.
"""


class HostingError(Exception):
    """Base class: the request was understood but the hosting rules say no."""

    default_message = "This change can't be made."

    def __init__(self, message: str | None = None):
        self.message = message or self.default_message
        super().__init__(self.message)


class NotAllowed(HostingError):
    default_message = "Only the event's host can change it."


class NotAHost(HostingError):
    default_message = "Only hosts can create events."


class CapacityBelowTicketsTaken(HostingError):
    def __init__(self, *, taken: int):
        self.taken = taken
        noun = "ticket is" if taken == 1 else "tickets are"
        super().__init__(
            f"{taken} {noun} already sold or held, so the capacity can't be lower than {taken}."
        )


class CurrencyLocked(HostingError):
    default_message = (
        "The currency can't change once tickets have been booked: existing bookings were "
        "paid in the current currency."
    )


class TooManyImages(HostingError):
    def __init__(self, *, limit: int):
        self.limit = limit
        super().__init__(f"An event can have at most {limit} images.")
