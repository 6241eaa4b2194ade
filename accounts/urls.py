from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import two_factor_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/", two_factor_views.verify, name="two_factor"),
    path("two-factor/setup/", two_factor_views.setup, name="two_factor_setup"),
    path("two-factor/recovery/", two_factor_views.recovery, name="two_factor_recovery"),
    path("two-factor/recovery-codes/", two_factor_views.recovery_codes_page, name="two_factor_recovery_codes"),
    path("signup/", views.signup, name="signup"),
    # One "check your email" page for every sign-up, whoever held the address (named for its first use).
    path("signup/check-your-email/", views.claim_sent, name="claim_sent"),
    path("signup/confirm/new-link/", views.resend_confirmation, name="resend_confirmation"),
    path("signup/confirm/<str:token>/", views.confirm_sign_up, name="confirm_sign_up"),
    path("profile/", views.profile, name="profile"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password/set/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("password/set/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
