"""Domain errors raised by the review and favourite services. Views turn them into messages.

Every error carries a `message` a person can read; the view shows it as is.
"""


class ReviewError(Exception):
    default_message = "This review can't be saved."

    def __init__(self, message: str | None = None):
        self.message = message or self.default_message
        super().__init__(self.message)


class NotEligible(ReviewError):
    default_message = "Only guests with a confirmed booking can review an event once it starts."


class AlreadyReviewed(ReviewError):
    default_message = "You have already reviewed this event. You can edit your review instead."

    def __init__(self, message: str | None = None, *, review=None):
        self.review = review
        super().__init__(message)


class InvalidRating(ReviewError):
    default_message = "Choose a rating from 1 to 5 stars."


class CommentTooLong(ReviewError):
    def __init__(self, *, limit: int):
        self.limit = limit
        super().__init__(f"A review can be at most {limit} characters long.")


class NotAuthor(ReviewError):
    default_message = "Only the author can change this review."


class ReviewNotFound(ReviewError):
    default_message = "This review no longer exists."
