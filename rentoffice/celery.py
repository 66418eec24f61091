import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rentoffice.settings.dev")

app = Celery("rentoffice")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.beat_init.connect
def install_periodic_jobs(sender, **kwargs) -> None:
    """Beat's schedule is the registry apps fill in `ready()` (rentoffice.background)."""
    import django

    django.setup()  # returns at once if the apps are loaded already
    from rentoffice.background import beat_schedule

    sender.app.conf.beat_schedule = beat_schedule()
