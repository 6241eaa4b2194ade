from django.urls import path

from ombudsman import views

app_name = "ombudsman"
urlpatterns = [
    path("complaints/<str:tracking_number>/ombudsman/", views.ombudsman_page, name="refer"),
    path("complaints/<str:tracking_number>/letters/<int:letter_id>.pdf", views.letter_pdf, name="letter_pdf"),
    path("healthz", views.healthz, name="healthz"),
]
