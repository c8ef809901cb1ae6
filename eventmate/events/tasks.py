from celery import shared_task

from . import services


@shared_task(name="eventmate.events.tasks.events_mark_ended")
def events_mark_ended() -> int:
    return services.events_mark_ended()
