"""Domain errors raised by the booking services. Views turn them into messages and statuses.

Every error carries a `message` a person can read; the view shows it as is.
"""


class BookingError(Exception):
    """Base class: the request was understood but the booking rules say no."""

    default_message = "This booking can't be made."

    def __init__(self, message: str | None = None):
        self.message = message or self.default_message
        super().__init__(self.message)


class EventNotBookable(BookingError):
    default_message = "This event is not open for booking."


class InvalidQuantity(BookingError):
    default_message = "Choose a valid number of tickets."


class InvalidAttendanceDate(BookingError):
    default_message = "Choose a day on which the event takes place."


class SoldOut(BookingError):
    default_message = "Sorry, this event is sold out."


class NotEnoughTickets(BookingError):
    def __init__(self, *, left: int):
        self.left = left
        noun = "ticket" if left == 1 else "tickets"
        super().__init__(f"Only {left} {noun} left. Choose {left} or fewer.")


class HoldLimitReached(BookingError):
    def __init__(self, *, limit: int, held: int):
        self.limit = limit
        self.held = held
        super().__init__(
            f"You already hold {held} ticket{'s' if held != 1 else ''} for this event; one "
            f"account can hold at most {limit} at a time. Finish or cancel a pending booking "
            "first."
        )


class HoldExpired(BookingError):
    default_message = "Your hold on these tickets has expired. Please book again."


class BookingNotPending(BookingError):
    default_message = "This booking is no longer awaiting payment."


class CancellationNotAllowed(BookingError):
    default_message = "This booking can no longer be cancelled."


class NotAllowed(BookingError):
    default_message = "You are not allowed to do that."
