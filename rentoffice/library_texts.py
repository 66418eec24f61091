"""Library texts we word ourselves in German.

Django's and Django REST framework's German catalogues disagree, and the app listed first wins:
REST framework's informal "Gib eine gültige E-Mail Adresse an." replaced Django's text in every
form. Our catalogue (LOCALE_PATHS) comes before all of them; naming the texts here keeps them in
it (makemessages drops entries no source mentions), translated formally like the rest of the app.
"""

from django.utils.translation import gettext_noop

LIBRARY_TEXTS = [
    gettext_noop("Enter a valid email address."),
    gettext_noop("Enter a valid URL."),
    gettext_noop('Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.'),
    gettext_noop('Enter a valid "slug" consisting of Unicode letters, numbers, underscores, or hyphens.'),
]
