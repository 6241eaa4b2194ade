from django.urls import path

from privacy import views

app_name = "privacy"
urlpatterns = [
    path("my-data/", views.my_data, name="my_data"),
    path("close-account/", views.close_account, name="close_account"),
    path("account-closed/", views.account_closed, name="account_closed"),
]
