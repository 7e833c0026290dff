"""``make migrate``: upgrade the warehouse at ``ALIS_DATABASE_URL`` and the mail queue at
``ALIS_MAIL_DATABASE_URL`` (when it is another database) to the newest schema revision.

Back production's database up first; a run against an outdated warehouse stops and names this
command. The settings are read where every other setting is (``glue.resources``).
"""

import sqlalchemy as sa

from alis_nord.migrations import upgrade
from glue.resources import database_url_from_environment, mail_database_url_from_environment


def main() -> None:
    for url in dict.fromkeys([database_url_from_environment(), mail_database_url_from_environment()]):
        engine = sa.create_engine(url)
        print(f"{engine.url.render_as_string(hide_password=True)}: schema revision {upgrade(engine)}")
        engine.dispose()


if __name__ == "__main__":
    main()
