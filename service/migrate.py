"""``make migrate``: upgrade the warehouse at ``ALIS_DATABASE_URL`` and the mail queue at
``ALIS_MAIL_DATABASE_URL`` (when it is another database) to the newest schema revision.

Back production's database up first; a run against an outdated warehouse stops and names this
command. The settings are read where every other setting is (``alis_nord.settings``).
"""

import sqlalchemy as sa

from alis_nord.migrations import upgrade
from alis_nord.settings import Settings


def main() -> None:
    settings = Settings()
    urls = [settings.database_url.get_secret_value(), settings.mail_queue_url.get_secret_value()]
    for url in dict.fromkeys(urls):
        engine = sa.create_engine(url)
        print(f"{engine.url.render_as_string(hide_password=True)}: schema revision {upgrade(engine)}")
        engine.dispose()


if __name__ == "__main__":
    main()
