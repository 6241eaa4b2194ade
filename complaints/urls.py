from django.urls import path

from complaints import views

app_name = "complaints"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/", views.new, name="new"),
    path("track/", views.track, name="track"),
    path("<str:tracking_number>/", views.detail, name="detail"),
    path("<str:tracking_number>/filed/", views.filed, name="filed"),
    path("<str:tracking_number>/reply/", views.reply, name="reply"),
    path("<str:tracking_number>/withdraw/", views.withdraw, name="withdraw"),
    path("<str:tracking_number>/accept/", views.accept_resolution, name="accept_resolution"),
    path("<str:tracking_number>/reject/", views.reject_resolution, name="reject_resolution"),
    path("<str:tracking_number>/deadlock-letter/", views.request_deadlock_letter, name="request_deadlock_letter"),
    path("<str:tracking_number>/attachments/<int:pk>/", views.attachment, name="attachment"),
]
