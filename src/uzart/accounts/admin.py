from django.contrib import admin

from uzart.accounts.models import Company, Membership, OperatorProfile, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("email", "surname", "given_name", "staff_role", "is_active")
    list_filter = ("staff_role", "is_active")
    search_fields = ("email", "surname", "given_name")
    exclude = ("password", "groups", "user_permissions", "last_login", "is_superuser")
    inlines = [MembershipInline]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("legal_name", "inn", "legal_form")
    search_fields = ("legal_name", "inn")


@admin.register(OperatorProfile)
class OperatorProfileAdmin(admin.ModelAdmin):
    list_display = ("name", "support_email", "phones")

    def has_add_permission(self, request):
        return not OperatorProfile.objects.exists()
