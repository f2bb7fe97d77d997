from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 at minimum cost, for the test profile only (see settings)."""

    time_cost = 1
    memory_cost = 256
    parallelism = 1
