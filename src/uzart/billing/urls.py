from django.urls import path

from uzart.billing import views

app_name = "billing"

urlpatterns = [
    path("", views.home, name="home"),
    path("company/<int:company_id>/", views.company, name="company"),
    path("company/<int:company_id>/statement.csv", views.company_csv, name="company_csv"),
    path("company/<int:company_id>/simulate/", views.company_simulate_payment, name="company_simulate"),
    path("operator/", views.operator_accounts, name="operator_accounts"),
    path("operator/company/<int:company_id>/", views.operator_company, name="operator_company"),
    path("operator/company/<int:company_id>/statement.csv", views.operator_company_csv, name="operator_csv"),
    path(
        "operator/company/<int:company_id>/payment/", views.operator_record_payment, name="operator_payment"
    ),
    path("operator/company/<int:company_id>/adjust/", views.operator_adjust, name="operator_adjust"),
    path("webhook/payment/", views.webhook_payment, name="webhook_payment"),
]
