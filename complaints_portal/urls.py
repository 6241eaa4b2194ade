from django.contrib import admin
from django.urls import include, path

from complaints_portal import views

urlpatterns = [
    path("", views.home, name="home"),
    path("code-of-practice/", views.code_of_practice, name="code_of_practice"),
    path("contact/", views.contact, name="contact"),
    path("accounts/", include("accounts.urls")),
    path("complaints/", include("complaints.urls")),
    path("", include("ombudsman.urls")),
    path("reports/", include("reports.urls")),
    path("privacy/", include("privacy.urls")),
    path("admin/", admin.site.urls),
]

handler500 = views.server_error
