from django.core.management.base import BaseCommand

from antoan.hotline.jobs import ESCALATE
from antoan.jobs.commands import add_now_argument, start


class Command(BaseCommand):
    help = (
        "Tell the hotline's supervisors about contacts waiting in the queue longer than "
        "ANTOAN_CONTACT_ESCALATE_SECONDS, and end web chats whose visitor has not been seen for "
        "ANTOAN_CHAT_VISITOR_GONE_SECONDS (idempotent). Queued for the worker unless --now."
    )

    def add_arguments(self, parser):
        add_now_argument(parser)

    def handle(self, *args, now=False, **options):
        job = start(self, kind=ESCALATE, now=now)
        if job is not None:
            self.stdout.write(
                f"{job.summary['escalated']} contact(s) escalated, "
                f"{job.summary.get('gone', 0)} chat(s) ended (visitor gone)."
            )
