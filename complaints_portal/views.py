from django.shortcuts import render


def home(request):
    return render(request, "pages/home.html")


def code_of_practice(request):
    return render(request, "pages/code_of_practice.html")


def contact(request):
    return render(request, "pages/contact.html")
