from django.urls import path

from uzart.reminders import views

app_name = "reminders"

urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read_all, name="read_all"),
    path("notifications/<int:notification_id>/read/", views.notification_read, name="read"),
    path("options/reminders/", views.reminder_options, name="options"),
    path("operator/deliveries/", views.deliveries, name="deliveries"),
    path("operator/deliveries/<int:delivery_id>/resend/", views.delivery_resend, name="resend"),
]
