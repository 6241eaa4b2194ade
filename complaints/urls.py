from django.contrib.auth import views as auth_views
from django.urls import path

app_name = "complaints"
urlpatterns = [
    path("", auth_views.LoginView.as_view(), name="mine"),
    path("new/", auth_views.LoginView.as_view(), name="new"),
    path("track/", auth_views.LoginView.as_view(), name="track"),
    path("<str:tracking_number>/", auth_views.LoginView.as_view(), name="detail"),
]
