from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.files.uploadedfile import UploadedFile

from eventmate.core.images import validate_image_upload

from .models import User

# The admin site's titles live here because accounts is the first EventMate app to load.
admin.site.site_header = "EventMate administration"
admin.site.site_title = "EventMate admin"
admin.site.index_title = "Site administration"


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "email")


class UserChangeAdminForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User

    def clean_avatar(self):
        avatar = self.cleaned_data.get("avatar")
        if isinstance(avatar, UploadedFile):
            validate_image_upload(avatar)
        return avatar


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = UserCreationAdminForm
    form = UserChangeAdminForm
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("EventMate", {"fields": ("is_host", "phone", "bio", "avatar")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "usable_password", "password1", "password2"),
            },
        ),
        ("EventMate", {"fields": ("is_host",)}),
    )
    list_display = (
        "username",
        "email",
        "first_name",
        "last_name",
        "is_host",
        "is_staff",
        "is_active",
        "date_joined",
    )
    list_filter = ("is_host", "is_staff", "is_superuser", "is_active")
    search_fields = ("username", "email", "first_name", "last_name")
    ordering = ("-pk",)  # newest first, along the primary key index
    # The exact total needs a second COUNT over the whole table on every page view.
    show_full_result_count = False
