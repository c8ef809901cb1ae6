from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "eventmate.reviews"
    label = "reviews"
