from tests.monitoring.conftest import monev_month  # noqa: F401  the seeded month, reused
