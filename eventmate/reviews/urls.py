from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("event/<slug:slug>/favorite/", views.favorite_toggle, name="favorite-toggle"),
    path("favorites/", views.favorite_list, name="favorite-list"),
    path("event/<slug:slug>/review/", views.review_create, name="review-create"),
    path("event/<slug:slug>/review/edit/", views.review_edit, name="review-edit"),
    path("event/<slug:slug>/review/delete/", views.review_delete, name="review-delete"),
]
