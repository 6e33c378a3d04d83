from django.urls import path

from uzart.web import views, views_options

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/eds/", views.login_eds, name="login_eds"),
    path("logout/", views.auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.set_language, name="set_language"),
    path("me/", views.holder_home, name="holder_home"),
    path("me/pin/", views.pin_change, name="pin_change"),
    path("operator/", views.operator_home, name="operator_home"),
    path("operator/companies/new/", views.company_new, name="company_new"),
    path("options/", views_options.options, name="options"),
    path("healthz", views.healthz, name="healthz"),
]
