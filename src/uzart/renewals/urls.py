from django.urls import path

from uzart.renewals import views

app_name = "renewals"

urlpatterns = [
    path("renew/", views.renew, name="renew"),
    path("renew/changed/", views.renew_changed, name="changed"),
    path("renewals/", views.my_requests, name="mine"),
    path("renewals/<str:number>/", views.status, name="status"),
    path("renewals/<str:number>/cancel/", views.cancel, name="cancel"),
    path("operator/renewals/", views.queue, name="queue"),
    path("operator/renewals/office/", views.office, name="office"),
    path("operator/renewals/<str:number>/", views.detail, name="detail"),
    path("operator/renewals/<str:number>/request.pdf", views.signed_pdf, name="pdf"),
    path("operator/renewals/<str:number>/files/<int:attachment_id>/", views.attachment, name="attachment"),
    path("operator/renewals/<str:number>/<str:action>/", views.act, name="act"),
]
