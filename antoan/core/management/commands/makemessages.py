from django.core.management.commands import makemessages


class Command(makemessages.Command):
    # A guessed ("fuzzy") translation of a new string is worse than none: it would show a
    # user the wrong words. New strings arrive empty and the drift check asks for them.
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
