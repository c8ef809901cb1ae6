"""factory_boy factories shared by every test module."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from eventmate.accounts.models import User
from eventmate.bookings.models import Booking
from eventmate.events.models import Category, City, Event, EventImage
from eventmate.reviews.models import Favorite, Review

PASSWORD = "correct horse battery staple"


def uploaded_image(name="photo.png", *, size=(64, 48), image_format="PNG", color="purple"):
    """An in-memory upload of a real image (Pillow), as a browser would send it."""
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", size, color).save(buffer, format=image_format)
    content_type = f"image/{image_format.lower()}"
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class HostFactory(UserFactory):
    is_host = True


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"City {n}")
    slug = factory.Sequence(lambda n: f"city-{n}")
    country = "United States"
    region = ""
    timezone = "America/New_York"


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    host = factory.SubFactory(HostFactory)
    title = factory.Sequence(lambda n: f"Event number {n}")
    slug = factory.Sequence(lambda n: f"event-number-{n}")
    description = "A good evening out."
    category = Category.MUSIC
    city = factory.SubFactory(CityFactory)
    venue = "The Hall"
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))
    ends_at = factory.LazyAttribute(lambda e: e.starts_at + timedelta(hours=3))
    price = Decimal("25.00")
    currency = "USD"
    capacity = 100
    is_published = True


class EventImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventImage

    event = factory.SubFactory(EventFactory)
    image = factory.django.ImageField(width=64, height=48, color="purple")
    alt_text = "A photo"
    order = factory.Sequence(lambda n: n)


class BookingFactory(factory.django.DjangoModelFactory):
    """A booking row only: it does not touch the event's counters. Use the booking services
    when the counters matter."""

    class Meta:
        model = Booking

    user = factory.SubFactory(UserFactory)
    event = factory.SubFactory(EventFactory)
    quantity = 1
    unit_price = factory.LazyAttribute(lambda b: b.event.price)
    total = factory.LazyAttribute(lambda b: b.unit_price * b.quantity)
    currency = factory.LazyAttribute(lambda b: b.event.currency)
    status = Booking.Status.CONFIRMED
    hold_expires_at = None
    confirmed_at = factory.LazyFunction(timezone.now)


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    user = factory.SubFactory(UserFactory)
    event = factory.SubFactory(EventFactory)
    rating = 4
    comment = "Great night."


class FavoriteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Favorite

    user = factory.SubFactory(UserFactory)
    event = factory.SubFactory(EventFactory)
